"""The parts of ``bench/pronote_matching.py``: synthetic schools, their files, the timed import."""
