"""The simulation target of the SoC description: Verilator's clock, UART and sim_finish, the
cycle watchdog, and for DRAM LiteDRAM's `SDRAMPHYModel` in place of the board's PHY: the
Arty's A7DDRPHY for "ddr3", the ULX3S's GENSDRPHY for "sdram".

The PHY model is given the settings the board's PHY computes (phases, CL/CWL, read and write
latency), so LiteDRAM's controller, refresh included, issues the same commands with the same
timings as on the board; see `board_phy_settings`.

Firmware, model and inputs are not part of the gateware: they reach main RAM through its
init files (one per DRAM bank for DDR3), which Verilator reads at start-up, so a new firmware
or model never re-verilates. The watchdog's cycle limit arrives the same way.
"""
from pathlib import Path

from litex.build.generic_platform import Pins, Subsignal
from litex.build.sim import SimPlatform
from migen import ClockSignal, Instance, ResetSignal
from migen.genlib.io import CRG

from .description import CfuBenchSoC, SocConfig

WATCHDOG_V = Path(__file__).with_name("cycle_watchdog.v")
SimSocConfig = SocConfig

_IO = [
    ("sys_clk", 0, Pins(1)),
    ("sys_rst", 0, Pins(1)),
    ("serial", 0,
        Subsignal("source_valid", Pins(1)),
        Subsignal("source_ready", Pins(1)),
        Subsignal("source_data", Pins(8)),
        Subsignal("sink_valid", Pins(1)),
        Subsignal("sink_ready", Pins(1)),
        Subsignal("sink_data", Pins(8)),
    ),
]

# Each DRAM bank's init file starts with its marker, so the build can tell which file holds
# which bank (LiteX names the files after the memories, not after the banks).
BANK_MARKER = 0xCFB0DD00


def a7ddrphy_settings(sys_clk_freq: int):
    """The PHY settings the Arty's A7DDRPHY uses, for the PHY model.

    The A7DDRPHY is built on the Arty's own DDR3 pads (from litex-boards) and thrown away:
    only its timing settings are kept. The model gets phytype SDRAMPHYModel, so the BIOS does
    not try to level a PHY that has no delay taps; rdphase/wrphase become plain numbers (on
    the board they are CSRs with these reset values, which the BIOS writes back unchanged).
    """
    from litedram.phy import s7ddrphy

    from .arty import arty_platform

    pads = arty_platform("a7-35").request("ddram")
    phy = s7ddrphy.A7DDRPHY(pads, memtype="DDR3", nphases=4, sys_clk_freq=sys_clk_freq)
    return _model_settings(phy.settings)


def gensdrphy_settings(sys_clk_freq: int):
    """The PHY settings the ULX3S's GENSDRPHY uses (on its own SDRAM pads), for the PHY model."""
    from litedram.phy import GENSDRPHY

    from .ulx3s import ulx3s_platform

    phy = GENSDRPHY(ulx3s_platform().request("sdram"), sys_clk_freq=sys_clk_freq)
    return _model_settings(phy.settings)


def board_phy_settings(memory: str, sys_clk_freq: int):
    return (gensdrphy_settings if memory == "sdram" else a7ddrphy_settings)(sys_clk_freq)


def _model_settings(s):
    from litedram.common import PhySettings

    def value(v):
        return v if isinstance(v, int) else v.reset.value
    return PhySettings(
        phytype="SDRAMPHYModel", memtype=s.memtype, databits=s.databits, strobes=s.strobes,
        dfi_databits=s.dfi_databits, nranks=s.nranks, nphases=s.nphases,
        rdphase=value(s.rdphase), wrphase=value(s.wrphase), cl=s.cl, cwl=s.cwl,
        read_latency=s.read_latency, write_latency=s.write_latency,
        cmd_latency=s.cmd_latency, cmd_delay=s.cmd_delay)


def bank_placeholder(module, settings) -> list[int]:
    """32-bit words that give every bank's memory a (tiny) init file holding its marker."""
    g = module.geom_settings
    row_bytes = 2 ** g.colbits * settings.databits // 8   # one row of one bank
    words = [0] * (2 ** g.bankbits * row_bytes // 4)
    for bank in range(2 ** g.bankbits):
        words[bank * row_bytes // 4] = BANK_MARKER + bank
    return words


class SimTarget:
    """SocPlatform for Verilator."""

    ident = "cfu-bench simulation SoC"
    uart_name = "sim"
    uart_baudrate = None

    def __init__(self):
        self.platform = SimPlatform("sim", _IO, name="sim")

    def add_crg(self, soc):
        soc.crg = CRG(self.platform.request("sys_clk"))

    def dram_phy(self, soc, module):
        from litedram.phy.model import SDRAMPHYModel

        memory = "sdram" if module.memtype == "SDR" else "ddr3"
        settings = board_phy_settings(memory, soc.sys_clk_freq)
        return SDRAMPHYModel(module, settings=settings, clk_freq=soc.sys_clk_freq,
                             init=bank_placeholder(module, settings))

    def preloaded(self) -> bool:
        return True

    def finish(self, soc):
        self.platform.add_debug(soc, reset=0)  # the sim_finish CSR firmware uses to end the run
        self.platform.add_source(str(WATCHDOG_V))
        soc.specials += Instance("cycle_watchdog",
                                 i_clk=ClockSignal("sys"), i_rst=ResetSignal("sys"))


def SimSoC(cfu_verilog: Path, config: SocConfig = SocConfig()) -> CfuBenchSoC:
    return CfuBenchSoC(SimTarget(), cfu_verilog, config)
