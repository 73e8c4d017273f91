"""Utilisation and timing of a placed and routed ECP5 design, from nextpnr's JSON report."""
from dataclasses import dataclass


@dataclass
class Utilisation:
    lut: int
    ff: int
    dsp: int
    bram: int
    available: dict


@dataclass
class Ecp5Timing:
    fmax_mhz: float
    worst_path: dict
    clocks: dict


def read_nextpnr_report(report: dict, target_mhz: float):
    raise NotImplementedError
