"""The Arty A7 target of the SoC description (soc/description.py): the same CPU, CFU, caches,
L2, LiteDRAM controller and memory map as the simulation with memory "ddr3"; only the
platform differs: litex-boards' pins, a PLL-based CRG and the A7DDRPHY instead of the PHY
model, a real UART at 1 Mbaud, and the LED chaser.

What differs from the simulation, on purpose:
  - the BIOS keeps its real delays and does not jump into main RAM after its serial-boot
    window: nothing is preloaded on a board, so it stops at its prompt, where the host asks
    it to serial-boot the firmware and data block (cfu_bench.run.board).

The platform (pins, I/O standards, device names) comes from litex-boards; the clocking and
the DRAM set-up below are ours, following the Arty's documented parts (MT41K128M16 DDR3).
"""
from dataclasses import asdict, dataclass
from pathlib import Path

from litex.gen import LiteXModule
from litex.soc.cores.clock import S7IDELAYCTRL, S7PLL
from litex.soc.cores.led import LedChaser
from migen import ClockDomain, Signal

from .description import MAIN_RAM_BASE, CfuBenchSoC, SocConfig

VARIANTS = {"a7-35": "xc7a35ticsg324-1L", "a7-100": "xc7a100tcsg324-1"}
__all__ = ["ArtyConfig", "ArtySoC", "ArtyTarget", "MAIN_RAM_BASE", "VARIANTS", "arty_platform"]


@dataclass(frozen=True)
class ArtyConfig:
    """Everything about the board SoC except the CFU: the shared description's settings and
    what only a board has."""

    variant: str = "a7-35"
    soc: SocConfig = SocConfig(memory="ddr3")
    # 1 Mbaud divides the FT2232H's 3 MHz base clock exactly and uploads a 300 KB model in
    # about 4 s; LiteX's 115200 default would take half a minute.
    uart_baudrate: int = 1_000_000
    with_led_chaser: bool = True  # a visible sign that the bitstream is loaded and clocked

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown Arty variant {self.variant!r}; valid: {', '.join(VARIANTS)}")
        if self.soc.memory != "ddr3":
            raise ValueError("the Arty's main RAM is its DDR3")

    @property
    def sys_clk_freq(self) -> int:
        return self.soc.sys_clk_freq

    def as_dict(self) -> dict:
        return {**asdict(self), "soc": self.soc.as_dict()}


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


class ArtyTarget:
    """SocPlatform for the board: litex-boards' pins, our CRG, the A7DDRPHY, a real UART."""

    uart_name = "serial"

    def __init__(self, config: ArtyConfig, toolchain: str = "vivado"):
        self.config = config
        self.platform = arty_platform(config.variant, toolchain)
        self.ident = f"cfu-bench Arty A7 SoC ({config.variant})"
        self.uart_baudrate = config.uart_baudrate

    def add_crg(self, soc):
        soc.crg = _Crg(self.platform, self.config.soc.sys_clk_freq)

    def dram_phy(self, soc, module):
        from litedram.phy import s7ddrphy
        return s7ddrphy.A7DDRPHY(self.platform.request("ddram"), memtype="DDR3", nphases=4,
                                 sys_clk_freq=soc.sys_clk_freq)

    def preloaded(self) -> bool:
        return False  # nothing is preloaded on a board: the host serial-boots the firmware

    def finish(self, soc):
        if self.config.with_led_chaser:
            soc.leds = LedChaser(pads=self.platform.request_all("user_led"),
                                 sys_clk_freq=soc.sys_clk_freq)


def ArtySoC(cfu_verilog: Path, config: ArtyConfig = ArtyConfig(), toolchain: str = "vivado") -> CfuBenchSoC:
    return CfuBenchSoC(ArtyTarget(config, toolchain), cfu_verilog, config.soc)
