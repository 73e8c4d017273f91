"""Fault injection: deliberately wrong CFUs that the tests must reject.

A fault changes a design only while it elaborates (`Design.with_fault`), by replacing one
method of one gateware block, so the library's blocks carry no test-only parameters. The
fault is part of the design's gateware hash: a wrong CFU never shares a build with the right one.
"""
import contextlib
from dataclasses import dataclass


@dataclass(frozen=True)
class NegatedLane:
    """Every product of one SIMD lane negated: `block.lane_product(lane, a, b)` returns -a*b
    for that lane. Any test that checks results and uses every lane must fail."""
    block: type
    lane: int

    @property
    def name(self) -> str:
        return f"negate_lane{self.lane}"

    @property
    def key(self) -> str:
        return f"{self.block.__module__}.{self.block.__qualname__}.lane_product:{self.name}"

    @contextlib.contextmanager
    def applied(self):
        original = self.block.lane_product
        faulty_lane = self.lane

        def negated(block_self, lane, *operands):
            product = original(block_self, lane, *operands)
            return -product if lane == faulty_lane else product

        self.block.lane_product = negated
        try:
            yield
        finally:
            self.block.lane_product = original
