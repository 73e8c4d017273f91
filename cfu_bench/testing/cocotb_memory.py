"""The main memory a CFU with a memory port (`mem_*`, `gateware.port.MemoryReadSignature`)
reads in cocotb: a Wishbone classic slave answering from a fixed function of the address.

Every word is defined (`memory_word`), so a golden model knows what any read returns without
the testbench loading anything, and random addresses are as good as chosen ones. Answers come
one cycle after a request at the earliest, as from LiteX's SRAM, with random extra wait
states so that a master which assumes a latency fails.
"""
import random

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

MASK32 = 0xFFFFFFFF


def memory_word(adr: int) -> int:
    """The word at word address `adr` (byte address / 4). mac8's C emulation computes the
    same on a host (kernels/mac8_emu.h, W_FETCH)."""
    x = (adr * 0x9E3779B1 + 0x7F4A7C15) & MASK32
    x ^= x >> 15
    return (x * 0x2C1B3C6D) & MASK32


def has_memory_port(dut) -> bool:
    return hasattr(dut, "mem_cyc")


class MemoryResponder:
    def __init__(self, dut, rng: random.Random, wait_prob: float = 0.3):
        self.dut = dut
        self.rng = rng
        self.wait_prob = wait_prob

    def start(self):
        d = self.dut
        d.mem_ack.value = 0
        d.mem_err.value = 0
        d.mem_dat_r.value = 0
        cocotb.start_soon(self._serve())

    async def _serve(self):
        d = self.dut
        acking = False
        while True:
            await ReadOnly()
            # A request this cycle that was not answered in it: answer it next cycle (or later).
            pending = d.mem_cyc.value == 1 and d.mem_stb.value == 1 and not acking
            adr = d.mem_adr.value.to_unsigned() if pending else 0
            await RisingEdge(d.clk)
            acking = pending and self.rng.random() >= self.wait_prob
            d.mem_ack.value = int(acking)
            d.mem_dat_r.value = memory_word(adr) if acking else 0
