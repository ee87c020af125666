from socle.directory.logins import LoginAllocator, login_allocator_for, login_base
from tests.factories import make_person


def test_it_builds_ascii_prenom_nom() -> None:
    assert login_base("Jean-Loïc", "Le Bœuf") == "jean-loic.le-boeuf"


def test_it_suffixes_taken_logins_with_one_prefix_query_per_base() -> None:
    queries: list[str] = []

    def taken(prefix: str) -> list[str]:
        queries.append(prefix)
        return ["camille.martin", "camille.martin2"]

    allocator = LoginAllocator(taken)
    logins = [allocator.allocate("Camille", "Martin") for _ in range(3)]
    assert logins == ["camille.martin3", "camille.martin4", "camille.martin5"]
    assert queries == ["camille.martin"]


def test_it_never_hands_out_a_reserved_login() -> None:
    allocator = LoginAllocator(lambda prefix: [], preloaded=[])
    allocator.reserve("lea.petit")
    assert allocator.allocate("Léa", "Petit") == "lea.petit2"


def test_database_allocator_sees_existing_logins() -> None:
    make_person("Camille", "Martin")
    assert login_allocator_for(1).allocate("Camille", "Martin") == "camille.martin2"
    assert login_allocator_for(1000).allocate("Camille", "Martin") == "camille.martin2"
