"""`profile --trace N[:M]`: a waveform of layers N to M of one inference.

The trace build of the simulation SoC (build_sim_soc(trace=True), cached apart from the
normal one) dumps a VCD while the sim_trace CSR is 1; the firmware (main.c, CFUB_TRACE_LAYERS)
sets it just before layer N runs and clears it after layer M. The whole design is in the
file (the CFU's ports, the CPU's buses and internals, LiteX's interconnect); a GTKWave save
file next to it opens with the CFU's ports grouped. VCD rather than FST so that tests (and
designers) can read it with a few lines of Python: a layer of a few thousand cycles is tens
of MB, so trace small layers, or a layer of a small model.
"""
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..paths import build_root
from ..build.ram_image import DataBlock

CFU_PORTS = ("clk", "reset", "cmd_valid", "cmd_ready", "cmd_payload_function_id",
             "cmd_payload_inputs_0", "cmd_payload_inputs_1", "rsp_valid", "rsp_ready",
             "rsp_payload_outputs_0")


def parse_layers(spec, n_ops: int) -> tuple[int, int]:
    """"N" or "N:M" (inclusive) or a pair, checked against the model's op count."""
    if isinstance(spec, tuple):
        first, last = spec
    else:
        text = str(spec).strip()
        try:
            first, sep, last = text.partition(":")
            first, last = int(first), int(last) if sep else int(first)
        except ValueError:
            raise UserError(f"--trace wants a layer N or a range N:M, got {text!r}") from None
    if not 0 <= first <= last < n_ops:
        raise UserError(f"--trace {first}:{last}: the model's layers are 0 to {n_ops - 1}")
    return first, last


def check_traceable(runner) -> None:
    if getattr(runner, "name", None) != "sim":
        raise UserError("--trace needs --target sim (waveforms come from the simulation)")


def trace_path(model: str, cfu: str, memory: str, layers: tuple[int, int]) -> Path:
    span = f"{layers[0]}" if layers[0] == layers[1] else f"{layers[0]}-{layers[1]}"
    return build_root() / "traces" / f"{model}-{cfu}-{memory}-layer{span}.vcd"


def record_trace(runner, design, memory: str, label: str, model_bytes: bytes, input_blob: bytes,
                 layers: tuple[int, int], cycle_limit: int, progress=None) -> str:
    """Run one inference on the trace build, tracing `layers`; the VCD's path (a .gtkw next
    to it)."""
    from . import protocol, simulate

    target = simulate.prepare(design, progress, memory=memory, trace=True,
                              firmware_design=getattr(runner, "firmware_design", None))
    out = trace_path(label, design.variant, memory, layers)
    out.unlink(missing_ok=True)
    block = DataBlock(model=model_bytes, inputs=[input_blob], trace_layers=layers)
    run = simulate.run(target, block, cycle_limit=cycle_limit, trace_to=out)
    protocol.parse(run.output).raise_for_error()
    write_gtkw(out)
    return str(out)


# ---- reading the VCD -------------------------------------------------------------------

@dataclass
class VcdVar:
    scope: str      # dotted, e.g. "TOP.sim.Cfu"
    name: str
    width: int
    code: str

    @property
    def path(self) -> str:
        return f"{self.scope}.{self.name}"


def vcd_vars(path: Path) -> list[VcdVar]:
    """Every variable declared in the VCD's header."""
    out, scope = [], []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "$scope":
                scope.append(words[2])
            elif words[0] == "$upscope":
                scope.pop()
            elif words[0] == "$var":
                name = words[4] if len(words) < 7 or words[5] == "$end" else words[4]
                out.append(VcdVar(".".join(scope), name, int(words[2]), words[3]))
            elif words[0] == "$enddefinitions":
                break
    return out


def cfu_scope(variables: list[VcdVar]) -> str:
    """The scope of the CFU instance: the one holding all of its ports."""
    by_scope: dict[str, set[str]] = {}
    for v in variables:
        by_scope.setdefault(v.scope, set()).add(v.name)
    hits = [s for s, names in by_scope.items() if set(CFU_PORTS) <= names]
    if not hits:
        raise UserError("no scope in the waveform holds the CFU's ports")
    return min(hits, key=len)


def count_handshakes(path: Path) -> dict:
    """Rising edges of the CFU's clk where cmd_valid and cmd_ready are both 1 (an instruction
    accepted), and how many clock cycles the trace spans."""
    variables = vcd_vars(path)
    scope = cfu_scope(variables)
    codes = {v.name: v.code for v in variables if v.scope == scope and v.name in CFU_PORTS}
    want = {codes["clk"]: "clk", codes["cmd_valid"]: "valid", codes["cmd_ready"]: "ready"}
    value = {"clk": "x", "valid": "x", "ready": "x"}
    before = dict(value)   # the values as the clock edge found them
    handshakes = cycles = 0
    with open(path) as f:
        for line in f:
            if line.startswith("$enddefinitions"):
                break
        for line in f:
            c = line[0]
            if c == "#":
                before = dict(value)
                continue
            if c in "01xz":
                code, v = line[1:].strip(), c
            elif c == "b":
                bits, code = line[1:].split()
                v = bits[-1]
            else:
                continue
            name = want.get(code)
            if name is None:
                continue
            if name == "clk" and v == "1" and value["clk"] == "0":
                cycles += 1
                if before["valid"] == "1" and before["ready"] == "1":
                    handshakes += 1
            value[name] = v
    return {"scope": scope, "handshakes": handshakes, "cycles": cycles}


def write_gtkw(vcd: Path) -> Path:
    """A GTKWave save file: the CFU's ports in a group, then the CPU's data and instruction
    buses (where the trace has them) and the op marker."""
    variables = vcd_vars(vcd)
    scope = cfu_scope(variables)

    def ref(v: VcdVar) -> str:
        return f"{v.path}[{v.width - 1}:0]" if v.width > 1 else v.path

    ports = {v.name: v for v in variables if v.scope == scope}
    lines = [f'[dumpfile] "{vcd.resolve()}"', "[timestart] 0", "@800200", "-CFU ports"]
    for name in CFU_PORTS:
        if name in ports:
            lines += ["@28" if ports[name].width == 1 else "@22", ref(ports[name])]
    lines += ["@1000200", "-CFU ports"]
    bus = ("CYC", "STB", "ACK", "WE", "ADR", "DAT_MISO", "DAT_MOSI", "SEL")
    extra = [v for v in variables if v.scope.endswith(".VexRiscv")
             and v.name in {f"{b}Wishbone_{s}" for b in ("dBus", "iBus") for s in bus}]
    extra += [v for v in variables if v.name == "sim_marker_storage" or v.name.endswith("marker_storage")][:1]
    if extra:
        lines += ["@800200", "-CPU buses and op marker"]
        for v in extra:
            lines += ["@28" if v.width == 1 else "@22", ref(v)]
        lines += ["@1000200", "-CPU buses and op marker"]
    out = vcd.with_suffix(".gtkw")
    out.write_text("\n".join(lines) + "\n")
    return out
