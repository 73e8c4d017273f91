"""Golden model of the baseline CFU: every instruction answers 0."""


class GoldenModel:
    def reset(self):
        pass

    def execute(self, funct3: int, funct7: int, in0: int, in1: int) -> int:
        return 0


def random_commands(rng, n):
    return [(rng.randrange(8), rng.getrandbits(7), rng.getrandbits(32), rng.getrandbits(32)) for _ in range(n)]


def exercise(rng):
    """Every funct3 once, with random operands and funct7."""
    return [(f3, rng.getrandbits(7), rng.getrandbits(32), rng.getrandbits(32)) for f3 in range(8)]
