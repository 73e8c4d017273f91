"""The boards. The Arty A7: building its FPGA project (build), loading a bitstream (bitstream),
serial boot (serial_boot: the LiteX BIOS's SFL protocol) and running firmware through it
(run), the toolchain's reports (reports), and the `arty` profile target (target). The ULX3S
(ECP5): its bitstream from the open yowasp flow (ecp5_build, ecp5_reports), the same serial
client, and the `ulx3s` target."""
from .bitstream import bitstream_variant, load_bitstream
from .build import SUMMARY, ArtyBuild, build_arty, detect_toolchain
from .reports import (BUILD_NAME, Resources, Timing, parse_nextpnr_timing, parse_nextpnr_utilization,
                      parse_vivado_timing, parse_vivado_utilization, read_reports)
from .run import DEFAULT_BAUDRATE, DEFAULT_DATA_OFFSET, MAIN_RAM_BASE, SIM_CHUNK, run_on_board
from .serial_boot import BoardError
from .target import ArtyBoard, Ulx3sBoard, profile_on_board, profile_on_ulx3s

__all__ = ["ArtyBoard", "ArtyBuild", "BUILD_NAME", "BoardError", "DEFAULT_BAUDRATE",
           "DEFAULT_DATA_OFFSET", "MAIN_RAM_BASE", "Resources", "SIM_CHUNK", "SUMMARY", "Timing",
           "bitstream_variant", "build_arty", "detect_toolchain", "load_bitstream",
           "parse_nextpnr_timing", "parse_nextpnr_utilization", "parse_vivado_timing",
           "parse_vivado_utilization", "profile_on_board", "profile_on_ulx3s", "read_reports",
           "run_on_board", "Ulx3sBoard"]
