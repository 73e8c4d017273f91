"""Golden model of every instruction of this CFU, bit-exact, on Python ints.

The cocotb testbench and the C emulation (kernels/template_emu.h) are both checked against it.
"""
DOT4, SET_OFFSET, ACC = 0, 1, 2
MASK32 = 0xFFFFFFFF


def signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def byte(word: int, i: int) -> int:
    return signed(word >> (8 * i), 8)


class GoldenModel:
    def __init__(self):
        self.reset()

    def reset(self):
        self.offset = 0
        self.acc = 0

    def dot4(self, a: int, b: int) -> int:
        return sum((byte(a, i) + self.offset) * byte(b, i) for i in range(4))

    def execute(self, funct3: int, funct7: int, in0: int, in1: int) -> int:
        if funct3 == DOT4:
            return self.dot4(in0, in1) & MASK32
        if funct3 == SET_OFFSET:
            self.offset = signed(in0, 9)
            return 0
        if funct3 == ACC:
            if funct7 & 1:
                previous, self.acc = self.acc, signed(in0, 32)
                return previous & MASK32
            self.acc = signed(self.acc + self.dot4(in0, in1), 32)
            return self.acc & MASK32
        return 0   # unclaimed funct3


# ---- random stimulus: (funct3, funct7, in0, in1) tuples -----------------------------------

EXTREME_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF)


def random_word(rng):
    """Mostly random, sometimes made of extreme bytes, which is where sign bugs live."""
    if rng.random() < 0.3:
        return int.from_bytes(bytes(rng.choice(EXTREME_BYTES) for _ in range(4)), "little")
    return rng.getrandbits(32)


def random_command(rng, funct3s=(DOT4, SET_OFFSET, ACC, ACC, 3, 7)):
    funct3 = rng.choice(funct3s)
    in0 = random_word(rng)
    if funct3 == SET_OFFSET and rng.random() < 0.5:
        in0 = rng.choice((-256, -128, -1, 0, 1, 127, 128, 255)) & 0x1FF
    return (funct3, rng.getrandbits(7), in0, random_word(rng))


def random_commands(rng, n):
    return [random_command(rng) for _ in range(n)]


def _positive_word(rng):
    """Four bytes in 1..7: every lane's product is non-zero and the same sign, so a wrong lane
    always changes the sum."""
    return int.from_bytes(bytes(rng.randrange(1, 8) for _ in range(4)), "little")


def exercise(rng):
    """From reset: every instruction (and an unclaimed funct3), with operands that make every
    lane of the dot product count."""
    offset = rng.randrange(0, 8)
    cmds = [(SET_OFFSET, 0, offset, 0)]
    for _ in range(4):
        cmds.append((DOT4, rng.getrandbits(7), _positive_word(rng), _positive_word(rng)))
        cmds.append((ACC, 0, _positive_word(rng), _positive_word(rng)))
    cmds.append((ACC, 1, rng.getrandbits(32), 0))      # load the accumulator, read the old value
    cmds.append((ACC, 0, _positive_word(rng), _positive_word(rng)))
    cmds.append((3, rng.getrandbits(7), rng.getrandbits(32), rng.getrandbits(32)))
    return cmds
