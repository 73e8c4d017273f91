"""The CFU port as Amaranth signatures.

The core of a CFU sees two streams: `cmd` (function id and the two source registers) and
`rsp` (the 32-bit result). `wrapper.CfuTop` flattens them into CFU Playground's Verilog port
names, so the same core drops into LiteX's VexRiscv `full+cfu`.
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


class CfuSignature(wiring.Signature):
    """What a CFU core exposes: commands in, responses out, one response per command, in order."""

    def __init__(self):
        super().__init__({
            "cmd": In(stream.Signature(Command)),
            "rsp": Out(stream.Signature(32)),
        })


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


class CfuTopSignature(wiring.Signature):
    def __init__(self):
        super().__init__(VERILOG_PORTS)
