import sys

from socle_bench.main import main

sys.exit(main())
