"""The « Traces » and « Indicateurs » benchmark (``bench/traces_scope.py``)."""
