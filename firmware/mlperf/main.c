/* MLPerf Tiny mode (make MLPERF=1): load the model from the host's data block once, then
 * serve the benchmark runner's serial protocol (ee_protocol.h) forever. */
#include "cfu.h"
#include "ee_io.h"
#include "ee_protocol.h"

void th_initialize(void);

int main(void) {
    cfu_enable();
    th_initialize();
    ee_announce();
    for (;;) ee_serial_byte((char)ee_getc());
}
