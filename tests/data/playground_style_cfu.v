// A CFU written the way CFU Playground projects write theirs: plain Verilog, module Cfu,
// CFU Playground's port names. It computes a 4-lane signed int8 dot product
// (function_id 0) or returns rs1 ^ rs2 (anything else), answering one cycle after the command.
// cfu-bench has no kernels for it, so a model runs on the reference kernels: this file only
// shows that such a CFU drops in with --cfu path/to/cfu.v and the SoC builds and runs.
module Cfu (
    input               cmd_valid,
    output              cmd_ready,
    input      [9:0]    cmd_payload_function_id,
    input      [31:0]   cmd_payload_inputs_0,
    input      [31:0]   cmd_payload_inputs_1,
    output reg          rsp_valid,
    input               rsp_ready,
    output reg [31:0]   rsp_payload_outputs_0,
    input               reset,
    input               clk
);
    wire signed [15:0] p0 = $signed(cmd_payload_inputs_0[7:0])   * $signed(cmd_payload_inputs_1[7:0]);
    wire signed [15:0] p1 = $signed(cmd_payload_inputs_0[15:8])  * $signed(cmd_payload_inputs_1[15:8]);
    wire signed [15:0] p2 = $signed(cmd_payload_inputs_0[23:16]) * $signed(cmd_payload_inputs_1[23:16]);
    wire signed [15:0] p3 = $signed(cmd_payload_inputs_0[31:24]) * $signed(cmd_payload_inputs_1[31:24]);
    wire signed [31:0] dot = p0 + p1 + p2 + p3;

    // One command in flight: accept a new one only when no response is waiting.
    assign cmd_ready = ~rsp_valid;

    always @(posedge clk) begin
        if (reset) begin
            rsp_valid <= 1'b0;
        end else if (rsp_valid) begin
            if (rsp_ready) rsp_valid <= 1'b0;
        end else if (cmd_valid) begin
            rsp_valid <= 1'b1;
            rsp_payload_outputs_0 <= (cmd_payload_function_id == 10'd0)
                ? dot : (cmd_payload_inputs_0 ^ cmd_payload_inputs_1);
        end
    end
endmodule
