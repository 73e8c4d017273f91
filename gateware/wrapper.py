"""The LiteX-facing top: module `Cfu` with CFU Playground's flat port names.

LiteX drives `clk` and `reset`; Amaranth cores use the `sync` domain with a reset named `rst`.
The wrapper owns a local `sync` domain fed from those two ports, so the core needs no renaming.
"""
from amaranth.hdl import ClockDomain, Module
from amaranth.lib import wiring

from .port import CfuSignature, CfuTopSignature


class CfuTop(wiring.Component):
    def __init__(self, core: wiring.Component):
        if not isinstance(core.signature, CfuSignature):
            raise TypeError(f"a CFU core must have a CfuSignature, not {core.signature!r}")
        self.core = core
        super().__init__(CfuTopSignature(memory=core.signature.memory))

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = cd_sync = ClockDomain("sync", local=True)
        m.d.comb += [cd_sync.clk.eq(self.clk), cd_sync.rst.eq(self.reset)]

        m.submodules.core = core = self.core
        m.d.comb += [
            core.cmd.valid.eq(self.cmd_valid),
            self.cmd_ready.eq(core.cmd.ready),
            core.cmd.payload.function_id.eq(self.cmd_payload_function_id),
            core.cmd.payload.inputs_0.eq(self.cmd_payload_inputs_0),
            core.cmd.payload.inputs_1.eq(self.cmd_payload_inputs_1),
            self.rsp_valid.eq(core.rsp.valid),
            core.rsp.ready.eq(self.rsp_ready),
            self.rsp_payload_outputs_0.eq(core.rsp.payload),
        ]
        if core.signature.memory:
            m.d.comb += [
                self.mem_cyc.eq(core.mem.cyc),
                self.mem_stb.eq(core.mem.stb),
                self.mem_adr.eq(core.mem.adr),
                core.mem.ack.eq(self.mem_ack),
                core.mem.err.eq(self.mem_err),
                core.mem.dat_r.eq(self.mem_dat_r),
            ]
        return m
