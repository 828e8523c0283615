"""``python -m mock_ecs [serve] [...]``: the same as the console script ``mock-ecs``."""

from .cli import entry_point

if __name__ == "__main__":
    entry_point()
