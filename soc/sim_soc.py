"""The simulation SoC: LiteX, VexRiscv full+cfu, integrated main RAM, UART, sim_finish, watchdog.

Firmware, model and inputs are not part of the gateware: they reach main RAM through
`main_ram.init`, which Verilator reads at start-up, so a new firmware or model never
re-verilates. The watchdog's cycle limit arrives the same way, through `cycle_limit.init`.
"""
from dataclasses import asdict, dataclass
from pathlib import Path

from litex.build.generic_platform import Pins, Subsignal
from litex.build.sim import SimPlatform
from litex.soc.integration.soc_core import SoCCore
from migen import ClockSignal, Instance, ResetSignal
from migen.genlib.io import CRG

WATCHDOG_V = Path(__file__).with_name("cycle_watchdog.v")

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


@dataclass(frozen=True)
class SimSocConfig:
    """Everything about the SoC except the CFU. Part of the build cache key."""

    cpu_variant: str = "full+cfu"
    sys_clk_freq: int = 100_000_000  # nominal: mcycle counts cycles, the frequency only labels them
    main_ram_size: int = 8 * 1024 * 1024
    rom_size: int = 64 * 1024
    sram_size: int = 8 * 1024
    uart_fifo_depth: int = 64

    def as_dict(self) -> dict:
        return asdict(self)


class SimSoC(SoCCore):
    def __init__(self, cfu_verilog: Path, config: SimSocConfig = SimSocConfig()):
        platform = SimPlatform("sim", _IO, name="sim")
        self.crg = CRG(platform.request("sys_clk"))
        # A non-empty init makes LiteX emit $readmemh for main RAM; the real contents are
        # written into main_ram.init before every run.
        placeholder = [0]
        SoCCore.__init__(
            self, platform, clk_freq=config.sys_clk_freq,
            cpu_type="vexriscv", cpu_variant=config.cpu_variant, cpu_cfu=str(cfu_verilog),
            uart_name="sim", uart_fifo_depth=config.uart_fifo_depth,
            integrated_rom_size=config.rom_size,
            integrated_sram_size=config.sram_size,
            integrated_main_ram_size=config.main_ram_size,
            integrated_main_ram_init=placeholder,
            ident="cfu-bench simulation SoC", ident_version=False,
        )

        # The BIOS jumps straight to the firmware in main RAM (LiteX skips the memory test, which
        # would overwrite it, because main RAM has init contents) and skips the delays and CRC
        # that only cost simulated cycles.
        self.add_constant("ROM_BOOT_ADDRESS", self.mem_map["main_ram"])
        for flag in ("BIOS_NO_DELAYS", "BIOS_NO_CRC",
                     "BIOS_NO_PROMPT"):
            self.add_config(flag)

        platform.add_debug(self, reset=0)  # adds the sim_finish CSR firmware uses to end the run
        platform.add_source(str(WATCHDOG_V))
        self.specials += Instance("cycle_watchdog",
                                  i_clk=ClockSignal("sys"), i_rst=ResetSignal("sys"))
