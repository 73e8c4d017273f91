"""The one SoC description both targets build: CPU, CFU, caches, main memory, memory map, UART.

A target contributes only what a board (or the simulator) physically is, through a
`SocPlatform`: the LiteX platform, the clock and reset generator, the UART's name and baud
rate, and the DDR3 PHY. Everything a cycle count depends on is decided here, once:

  - VexRiscv `full+cfu` (4 KiB I and D caches, hardware multiply/divide), the CFU as module
    `Cfu` (a CFU with a memory port, `mem_*`, becomes a read master on the SoC bus beside the
    CPU: it reads main RAM through the same interconnect, L2 cache and DRAM), 64 KiB ROM with the LiteX BIOS, 8 KiB SRAM;
  - main RAM at 0x40000000 (the firmware's data block at +0x500000), either
      "ddr3":  the Arty's MT41K128M16 (256 MiB, 16 bits, 1:4) behind LiteDRAM's controller
               (refresh on) and an 8 KiB L2 cache, as on the board; or
      "sdram": the ULX3S's MT48LC16M16 (32 MiB SDR, 16 bits, 1:1) behind the same controller
               and L2, at the ULX3S's 50 MHz; or
      "ideal": 8 MiB of integrated single-cycle RAM (simulation only: fast and optimistic).
"""
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from litex.soc.integration.soc_core import SoCCore
from litex.soc.interconnect import wishbone

from cfu_bench.gateware.port import MEMORY_PORT_PROBE

MAIN_RAM_BASE = 0x40000000
MEMORIES = ("ddr3", "ideal", "sdram")
# What the benchmark suite runs by default: the Arty's memory and the ideal one.
SUITE_MEMORIES = ("ddr3", "ideal")
# The SoC clock each memory comes with: its board's (DRAM timings in cycles depend on it).
DEFAULT_CLOCKS = {"ddr3": 100_000_000, "ideal": 100_000_000, "sdram": 50_000_000}


@dataclass(frozen=True)
class SocConfig:
    """Everything about the SoC except the CFU and the target. Part of every build key."""

    cpu_variant: str = "full+cfu"
    memory: str = "ddr3"
    # mcycle counts cycles; DRAM timings are derived from it. None: the memory's board's clock.
    sys_clk_freq: int | None = None
    ideal_ram_size: int = 8 * 1024 * 1024   # memory "ideal" only
    l2_size: int = 8 * 1024                 # DRAM only, as litex-boards' Arty and ULX3S targets
    rom_size: int = 64 * 1024
    sram_size: int = 8 * 1024
    uart_fifo_depth: int = 64

    def __post_init__(self):
        if self.memory not in MEMORIES:
            raise ValueError(f"unknown memory {self.memory!r}; valid: {', '.join(MEMORIES)}")
        if self.sys_clk_freq is None:
            object.__setattr__(self, "sys_clk_freq", DEFAULT_CLOCKS[self.memory])

    def as_dict(self) -> dict:
        d = asdict(self)
        # Keys of fields that do not apply are left out, so that e.g. the ideal SoC's key does
        # not change when the L2 size of the DDR3 one does.
        d.pop("l2_size" if self.memory == "ideal" else "ideal_ram_size")
        return d


def dram_module(sys_clk_freq: int, memory: str = "ddr3"):
    """The board's DRAM chip: the Arty A7's DDR3 at the controller's 1:4 rate, or the ULX3S's
    SDR SDRAM at 1:1."""
    if memory == "sdram":
        from litedram.modules import MT48LC16M16
        return MT48LC16M16(sys_clk_freq, "1:1")
    from litedram.modules import MT41K128M16
    return MT41K128M16(sys_clk_freq, "1:4")


class SocPlatform(Protocol):
    """What a target supplies to CfuBenchSoC."""

    platform: object        # a LiteX platform
    ident: str
    uart_name: str
    uart_baudrate: int | None

    def add_crg(self, soc: SoCCore) -> None: ...

    def dram_phy(self, soc: SoCCore, module):
        """The DRAM PHY (a LiteX module with .settings and .dfi) for this target and module."""

    def preloaded(self) -> bool:
        """True when main RAM holds the firmware at start-up (its init files), so the BIOS must
        not test the memory and must jump straight into it."""

    def finish(self, soc: SoCCore) -> None: ...


def cfu_reads_memory(cfu_verilog: Path) -> bool:
    """Whether module `Cfu` has the memory read port (`gateware.port.MEMORY_VERILOG_PORTS`)."""
    # Declared as an output in either Verilog style: `output mem_cyc;` or `output wire mem_cyc,`.
    return re.search(rf"\boutput\b[^;]*?\b{MEMORY_PORT_PROBE}\b", cfu_verilog.read_text()) is not None


class CfuBenchSoC(SoCCore):
    def __init__(self, target: SocPlatform, cfu_verilog: Path, config: SocConfig):
        platform = target.platform
        target.add_crg(self)
        ideal = config.memory == "ideal"
        main_ram = {}
        if ideal:
            # A non-empty init makes LiteX emit $readmemh for main RAM; the real contents are
            # written into its init file before every run.
            main_ram = dict(integrated_main_ram_size=config.ideal_ram_size,
                            integrated_main_ram_init=[0])
        uart = dict(uart_name=target.uart_name, uart_fifo_depth=config.uart_fifo_depth)
        if target.uart_baudrate:
            uart["uart_baudrate"] = target.uart_baudrate
        SoCCore.__init__(
            self, platform, clk_freq=config.sys_clk_freq,
            cpu_type="vexriscv", cpu_variant=config.cpu_variant, cpu_cfu=str(cfu_verilog),
            integrated_rom_size=config.rom_size, integrated_sram_size=config.sram_size,
            ident=target.ident, ident_version=False, **uart, **main_ram,
        )
        if cfu_reads_memory(Path(cfu_verilog)):
            self.add_cfu_memory_master()
        if not ideal:
            module = dram_module(config.sys_clk_freq, config.memory)
            self.ddrphy = target.dram_phy(self, module)
            self.add_sdram("sdram", phy=self.ddrphy, module=module, l2_cache_size=config.l2_size)
        assert self.mem_map["main_ram"] == MAIN_RAM_BASE, "the firmware is linked for 0x40000000"

        if target.preloaded():
            # The BIOS jumps straight to the firmware in main RAM and skips what would
            # overwrite it (the memory test) or only cost simulated cycles (delays, CRC).
            self.add_constant("ROM_BOOT_ADDRESS", self.mem_map["main_ram"])
            for flag in ("BIOS_NO_DELAYS", "BIOS_NO_CRC", "BIOS_NO_PROMPT"):
                self.add_config(flag)
            if not ideal:
                self.add_constant("SDRAM_TEST_DISABLE")
        target.finish(self)

    def add_cfu_memory_master(self) -> None:
        bus = wishbone.Interface(data_width=32, address_width=32, addressing="word")
        self.comb += [bus.we.eq(0), bus.sel.eq(0xF), bus.cti.eq(0), bus.bte.eq(0)]
        self.cpu.cfu_params.update(
            o_mem_cyc=bus.cyc, o_mem_stb=bus.stb, o_mem_adr=bus.adr,
            i_mem_ack=bus.ack, i_mem_err=bus.err, i_mem_dat_r=bus.dat_r,
        )
        self.bus.add_master(name="cfu", master=bus)
