"""The `arty` and `ulx3s` targets (cfu_bench.run.targets): the firmware built for the board's SoC,
serial-booted into a board that holds a bitstream of the same design. Both boards go through
the same client (run.run_on_board: the LiteX BIOS's serial boot)."""
from pathlib import Path

from ...errors import UserError
from .bitstream import bitstream_variant
from .build import build_arty
from .run import run_on_board


def profile_on_board(design, block, port, bitstream=None, progress=None, variant: str | None = None,
                     timeout_s: float = 600.0, on_line=None) -> str:
    """Run the firmware of `design` with this data block on the board; return its output.

    The firmware is built against the Arty SoC's software (writing the project folder under
    build/arty/ if needed, without compiling the FPGA: that is `cfu-bench build --target arty`).
    The board must hold a bitstream of the same design, loaded now from `bitstream` or before.
    """
    from ...progress import Progress
    from ...build.ram_image import DataBlock

    progress = progress or Progress(quiet=True)
    if variant is None and bitstream is not None and Path(bitstream).is_file():
        variant = bitstream_variant(Path(bitstream))
    build = build_arty(design, variant=variant or "a7-35", no_compile=True, progress=progress)
    data = block.to_bytes() if isinstance(block, DataBlock) else bytes(block)
    with progress.step(f"serial boot and run on the board at {port}"):
        return run_on_board(port, build.firmware_bin.read_bytes(), data, build.data_offset,
                            bitstream=bitstream, timeout_s=timeout_s, baudrate=build.baudrate,
                            variant=variant, on_line=on_line)


def profile_on_ulx3s(design, block, port, bitstream=None, progress=None, timeout_s: float = 600.0,
                     on_line=None, sys_clk_freq: int | None = None) -> str:
    """As profile_on_board, for the ULX3S: the firmware is built against the ULX3S SoC's
    software (the project under build/ulx3s/, without place and route: that is
    `cfu-bench build --target ulx3s`)."""
    from ...progress import Progress
    from ...build.ram_image import DataBlock
    from .ecp5_build import build_ecp5

    progress = progress or Progress(quiet=True)
    build = build_ecp5(design, no_compile=True, sys_clk_freq=sys_clk_freq, progress=progress,
                       allow_timing_miss=True)
    data = block.to_bytes() if isinstance(block, DataBlock) else bytes(block)
    with progress.step(f"serial boot and run on the ULX3S at {port}"):
        return run_on_board(port, build.firmware_bin.read_bytes(), data, build.data_offset,
                            bitstream=bitstream, timeout_s=timeout_s, baudrate=build.baudrate,
                            variant="ulx3s", on_line=on_line)


class ArtyBoard:
    name = "arty"
    description = "Digilent Arty A7 board over its serial port"
    memories = ("ddr3",)

    def check(self, memory, options) -> str:
        from ..targets import check_memory
        memory = check_memory(self, memory)
        if not options.get("port"):
            raise UserError("--target arty needs --port (e.g. /dev/ttyUSB1)")
        return memory

    def prepare(self, design, memory, progress, options) -> "PreparedBoard":
        return PreparedBoard(design, progress, options["port"], options.get("bitstream"))


class PreparedBoard:
    # A board run is never cached: the board is what is being measured.
    cache_id = None
    cycles_source = "mcycle, Arty A7 board at 100 MHz, DDR3 (LiteDRAM, MT41K128M16, L2 8 KiB)"

    def __init__(self, design, progress, port, bitstream):
        self.design, self.progress, self.port, self.bitstream = design, progress, port, bitstream

    def run(self, block, on_line=None, cycle_limit: int = 0):
        from ..targets import RunOutput
        text = profile_on_board(self.design, block, port=self.port, bitstream=self.bitstream,
                                progress=self.progress, on_line=on_line)
        return RunOutput(text, None)


class Ulx3sBoard:
    name = "ulx3s"
    description = "Radiona ULX3S 85F (ECP5) board over its serial port"
    memories = ("sdram",)

    def check(self, memory, options) -> str:
        from ..targets import check_memory
        memory = check_memory(self, memory)
        if not options.get("port"):
            raise UserError("--target ulx3s needs --port (e.g. /dev/ttyUSB0)")
        return memory

    def prepare(self, design, memory, progress, options) -> "PreparedUlx3s":
        return PreparedUlx3s(design, progress, options["port"], options.get("bitstream"))


class PreparedUlx3s(PreparedBoard):
    cycles_source = ("mcycle, ULX3S 85F board at 50 MHz, SDR SDRAM (LiteDRAM, MT48LC16M16, "
                     "L2 8 KiB)")

    def run(self, block, on_line=None, cycle_limit: int = 0):
        from ..targets import RunOutput
        text = profile_on_ulx3s(self.design, block, port=self.port, bitstream=self.bitstream,
                                progress=self.progress, on_line=on_line)
        return RunOutput(text, None)
