"""Password hasher for PRONOTE's own (direct) credentials in the simulator.

PBKDF2 with a low iteration count: pronotesim is a test double, and a demo base holds hundreds of
accounts loaded at each start; Django's default 1,000,000 iterations would take minutes there.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_quick"
    iterations = 20_000
