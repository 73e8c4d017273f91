"""The CFU port as Amaranth signatures.

The core of a CFU sees two streams: `cmd` (function id and the two source registers) and
`rsp` (the 32-bit result). `wrapper.CfuTop` flattens them into CFU Playground's Verilog port
names, so the same core drops into LiteX's VexRiscv `full+cfu`.

A core may also read main memory itself (`CfuSignature(memory=True)`): a Wishbone classic
read master, `mem`, which the SoC adds to its bus beside the CPU's (`mem_*` Verilog ports).
Weights that the CPU would otherwise load word by word through its D-cache can then stream
into the CFU while the CPU waits on one instruction.
"""
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out


class FunctionId(data.Struct):
    # {funct7, funct3} in the Verilog port: funct3 is in the low bits.
    funct3: 3
    funct7: 7


class Command(data.Struct):
    function_id: FunctionId
    inputs_0: 32
    inputs_1: 32


class MemoryReadSignature(wiring.Signature):
    """A Wishbone classic read master, as the CFU drives it: `adr` is a word address (byte
    address / 4) as on LiteX's bus; `cyc` and `stb` rise together and stay up until `ack` (or
    `err`, which a master must treat as an answer so that a bad address cannot hang it)."""

    def __init__(self):
        super().__init__({
            "cyc": Out(1),
            "stb": Out(1),
            "adr": Out(30),
            "ack": In(1),
            "err": In(1),
            "dat_r": In(32),
        })


class CfuSignature(wiring.Signature):
    """What a CFU core exposes: commands in, responses out, one response per command, in order;
    with memory=True also `mem`, a read master on the SoC bus."""

    def __init__(self, memory: bool = False):
        members = {
            "cmd": In(stream.Signature(Command)),
            "rsp": Out(stream.Signature(32)),
        }
        if memory:
            members["mem"] = Out(MemoryReadSignature())
        super().__init__(members)

    @property
    def memory(self) -> bool:
        return "mem" in self.members


# The Verilog port of module `Cfu` (CFU Playground / LiteX names), as seen from the CFU.
VERILOG_PORTS = {
    "clk": In(1),
    "reset": In(1),
    "cmd_valid": In(1),
    "cmd_ready": Out(1),
    "cmd_payload_function_id": In(10),
    "cmd_payload_inputs_0": In(32),
    "cmd_payload_inputs_1": In(32),
    "rsp_valid": Out(1),
    "rsp_ready": In(1),
    "rsp_payload_outputs_0": Out(32),
}


# The memory port's Verilog names (module `Cfu` of a core with CfuSignature(memory=True)); the
# SoC looks for MEMORY_PORT_PROBE in the Verilog to decide whether to wire a bus master.
MEMORY_VERILOG_PORTS = {
    "mem_cyc": Out(1),
    "mem_stb": Out(1),
    "mem_adr": Out(30),
    "mem_ack": In(1),
    "mem_err": In(1),
    "mem_dat_r": In(32),
}
MEMORY_PORT_PROBE = "mem_cyc"


class CfuTopSignature(wiring.Signature):
    def __init__(self, memory: bool = False):
        super().__init__({**VERILOG_PORTS, **(MEMORY_VERILOG_PORTS if memory else {})})
