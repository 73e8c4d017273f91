"""The firmware's output at the board's UART speed. The simulated UART normally takes a byte
every cycle; a real line at 1 Mbaud takes one per 1,000 cycles at 100 MHz, so the UART's
16-byte FIFO fills within a line. Output written through libbase's interrupt-driven
uart_write (interrupts are off in our firmware) was then queued where nothing sends it: the
run lost its CFUB lines on a board while every simulation passed."""
from cfu_bench.run import protocol
from cfu_bench.build.ram_image import DataBlock
from cfu_bench.run.simulate import run
from cfu_bench.testing import seeds

BOARD_UART_CYCLES = 1_000   # 10 bits at 1 Mbaud, 100 MHz


def test_every_line_arrives_through_a_board_speed_uart(template_target):
    block = DataBlock(selftest_count=200, selftest_seed=seeds.derive("test_board_speed_uart"))
    fast = run(template_target, block)
    slow = run(template_target, block, uart_tx_cycles=BOARD_UART_CYCLES)
    line = protocol.selftest(slow.output)
    assert line and line.passed == 200 and line.failed == 0
    assert "CFUB EXIT 0" in slow.output
    # the same lines as with the instant UART (cycle counts aside)
    assert _firmware_lines(slow.output) == _firmware_lines(fast.output)
    # the line really was slow: the UART held the firmware back
    assert slow.total_cycles > fast.total_cycles + 100 * BOARD_UART_CYCLES


def _firmware_lines(output: str) -> list[str]:
    return [l for l in output.splitlines() if l.startswith("CFUB") and not l.startswith("CFUB CYCLES")]
