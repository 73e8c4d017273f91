// Stops a hung simulation after a cycle limit, with a message the host recognises.
//
// The limit is read at start-up from cycle_limit.init (one 64-bit hex word) in the run
// directory, so each run can choose its own limit without re-verilating. A limit of 0
// disables the watchdog. Simulation only: the board has no such file.
module cycle_watchdog (
    input wire clk,
    input wire rst
);
    reg [63:0] limit_mem [0:0];
    reg [63:0] cycles = 64'd0;

    initial begin
        limit_mem[0] = 64'd0;
        $readmemh("cycle_limit.init", limit_mem);
    end

    always @(posedge clk) begin
        if (rst) begin
            cycles <= 64'd0;
        end else begin
            cycles <= cycles + 64'd1;
            if (limit_mem[0] != 64'd0 && cycles >= limit_mem[0]) begin
                $display("\nCFUB WATCHDOG cycle limit %0d reached", limit_mem[0]);
                $finish;
            end
        end
    end
endmodule
