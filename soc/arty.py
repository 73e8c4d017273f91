"""The Arty A7 SoC: the simulation SoC's CPU, CFU and BIOS, with DDR3 main RAM and a real UART.

What stays the same as soc/sim_soc.py, so one firmware binary runs on both: VexRiscv
`full+cfu` with the CFU Verilog instantiated as module `Cfu`, the LiteX BIOS, main RAM at
0x40000000 (the firmware's data block at +0x400000) and the CSR layout the firmware uses.

What differs, on purpose:
  - main RAM is the board's 256 MiB DDR3 behind LiteDRAM and an L2 cache, not single-cycle
    block RAM, so memory-bound code takes more cycles than in simulation;
  - the BIOS keeps its real delays and does not jump into main RAM after its serial-boot
    window: nothing is preloaded on a board, so it stops at its prompt, where the host asks
    it to serial-boot the firmware and data block (cfu_bench.board).

The platform (pins, I/O standards, device names) comes from litex-boards; the clocking and
the DRAM set-up below are ours, following the Arty's documented parts (MT41K128M16 DDR3).
"""
from dataclasses import asdict, dataclass
from pathlib import Path

from litex.gen import LiteXModule
from litex.soc.cores.clock import S7IDELAYCTRL, S7PLL
from litex.soc.cores.led import LedChaser
from litex.soc.integration.soc_core import SoCCore
from migen import ClockDomain, Signal

VARIANTS = {"a7-35": "xc7a35ticsg324-1L", "a7-100": "xc7a100tcsg324-1"}
MAIN_RAM_BASE = 0x40000000


@dataclass(frozen=True)
class ArtyConfig:
    """Everything about the board SoC except the CFU."""

    variant: str = "a7-35"
    cpu_variant: str = "full+cfu"
    sys_clk_freq: int = 100_000_000
    # 1 Mbaud divides the FT2232H's 3 MHz base clock exactly and uploads a 300 KB model in
    # about 4 s; LiteX's 115200 default would take half a minute.
    uart_baudrate: int = 1_000_000
    uart_fifo_depth: int = 64
    rom_size: int = 64 * 1024
    sram_size: int = 8 * 1024
    l2_size: int = 8 * 1024
    with_led_chaser: bool = True  # a visible sign that the bitstream is loaded and clocked

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown Arty variant {self.variant!r}; valid: {', '.join(VARIANTS)}")

    def as_dict(self) -> dict:
        return asdict(self)


def arty_platform(variant: str, toolchain: str = "vivado"):
    try:
        from litex_boards.platforms import digilent_arty
    except ImportError:
        from ..errors import ToolMissing
        raise ToolMissing("litex-boards is not installed (it describes the Arty's pins): "
                          "pip install 'litex-boards==2023.12'") from None
    return digilent_arty.Platform(variant=variant, toolchain=toolchain)


class _Crg(LiteXModule):
    """sys at sys_clk_freq, and the 4x and 200 MHz clocks the DDR3 PHY needs, from the 100 MHz
    oscillator. The RESET button holds the PLL in reset, which restarts the SoC into its BIOS."""

    def __init__(self, platform, sys_clk_freq: int):
        self.rst = Signal()
        self.cd_sys = ClockDomain()
        self.cd_sys4x = ClockDomain()
        self.cd_sys4x_dqs = ClockDomain()
        self.cd_idelay = ClockDomain()

        self.pll = pll = S7PLL(speedgrade=-1)
        self.comb += pll.reset.eq(~platform.request("cpu_reset") | self.rst)
        pll.register_clkin(platform.request("clk100"), 100e6)
        pll.create_clkout(self.cd_sys, sys_clk_freq)
        pll.create_clkout(self.cd_sys4x, 4 * sys_clk_freq)
        pll.create_clkout(self.cd_sys4x_dqs, 4 * sys_clk_freq, phase=90)
        pll.create_clkout(self.cd_idelay, 200e6)
        # The SoC's reset CSR drives the PLL reset from sys: not a timing path.
        platform.add_false_path_constraints(self.cd_sys.clk, pll.clkin)
        self.idelayctrl = S7IDELAYCTRL(self.cd_idelay)


class ArtySoC(SoCCore):
    def __init__(self, cfu_verilog: Path, config: ArtyConfig = ArtyConfig(), toolchain: str = "vivado"):
        from litedram.modules import MT41K128M16
        from litedram.phy import s7ddrphy

        platform = arty_platform(config.variant, toolchain)
        self.crg = _Crg(platform, config.sys_clk_freq)
        SoCCore.__init__(
            self, platform, clk_freq=config.sys_clk_freq,
            cpu_type="vexriscv", cpu_variant=config.cpu_variant, cpu_cfu=str(cfu_verilog),
            uart_name="serial", uart_baudrate=config.uart_baudrate,
            uart_fifo_depth=config.uart_fifo_depth,
            integrated_rom_size=config.rom_size, integrated_sram_size=config.sram_size,
            ident=f"cfu-bench Arty A7 SoC ({config.variant})", ident_version=False,
        )
        self.ddrphy = s7ddrphy.A7DDRPHY(platform.request("ddram"), memtype="DDR3", nphases=4,
                                        sys_clk_freq=config.sys_clk_freq)
        self.add_sdram("sdram", phy=self.ddrphy,
                       module=MT41K128M16(config.sys_clk_freq, "1:4"),
                       l2_cache_size=config.l2_size)
        assert self.mem_map["main_ram"] == MAIN_RAM_BASE, "the firmware is linked for 0x40000000"
        if config.with_led_chaser:
            self.leds = LedChaser(pads=platform.request_all("user_led"),
                                  sys_clk_freq=config.sys_clk_freq)
