package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The kind (Python exception type) of the engine's errors, as PyTorch raises them. */
class ErrorKindTest {
    static Tensor f(int... shape) { return Tensor.zeros(DType.FLOAT32, shape); }

    static Tensor l(long... v) { return Tensor.of(v, v.length); }

    static void kind(TorchException.Kind k, Executable e) {
        TorchException ex = assertThrows(TorchException.class, e);
        assertEquals(k, ex.kind, "kind of: " + ex.getMessage());
    }

    static void runtime(Executable e) { kind(TorchException.Kind.RUNTIME, e); }

    static void index(Executable e) { kind(TorchException.Kind.INDEX, e); }

    @Test
    void shapeMismatchIsRuntimeError() {
        runtime(() -> Ops.binary(BinaryOp.ADD, f(2, 3), f(4)));
        runtime(() -> Ops.binary(BinaryOp.MUL, f(2, 3, 1), f(2, 2)));
        runtime(() -> Ops.binaryInPlace(BinaryOp.ADD, f(3), f(2, 3)));
        runtime(() -> Ops.matmul(f(3, 4), f(5, 2)));
        runtime(() -> Ops.matmul(f(3), f(4)));
        runtime(() -> Ops.mm(f(2, 3), f(2, 3)));
        runtime(() -> Ops.bmm(f(2, 2, 3), f(3, 3, 4)));
        runtime(() -> Ops.cat(new Tensor[] {f(2, 3), f(2, 4)}, 0));
        runtime(() -> Ops.stack(new Tensor[] {f(2, 3), f(3, 2)}, 0));
        runtime(() -> Ops.where(Tensor.zeros(DType.BOOL, 2, 3), f(4), f(2, 3)));
        runtime(() -> Ops.splitSizes(f(2, 6), new int[] {1, 2}, 1));
        runtime(() -> f(3, 2).expand(3, 4));
        runtime(() -> Ops.indexPutInPlace(f(4, 3), new Tensor[] {l(0, 1, 2)}, f(2, 3), false));
    }

    @Test
    void indexOutOfRangeIsIndexError() {
        index(() -> f(2, 3).select(1, 3));
        index(() -> f(2, 3).select(0, -3));
        index(() -> Ops.index(f(4, 5), new Tensor[] {l(0, 4)}));
        index(() -> Ops.index(f(4, 5), new Tensor[] {null, l(-6)}));
        index(() -> Ops.indexPutInPlace(f(3), new Tensor[] {l(3)}, f(), false));
        index(() -> Ops.indexSelect(f(3, 4), 0, l(3)));
        index(() -> Ops.index(f(3), new Tensor[] {l(0), l(0)}));
        index(() -> Ops.index(f(3), new Tensor[] {Tensor.of(new float[] {0f}, 1)}));
        index(() -> Ops.index(f(3, 4), new Tensor[] {Tensor.zeros(DType.BOOL, 2)}));
        // dims out of range are IndexErrors too
        index(() -> Ops.sum(f(2, 3), new int[] {2}, false));
        index(() -> f(2, 3).transpose(0, 2));
        index(() -> f(2, 3).unsqueeze(3));
        index(() -> Ops.softmax(f(2, 3), 2, false));
    }

    @Test
    void gatherScatterOutOfRangeIsRuntimeError() {
        // PyTorch raises RuntimeError (not IndexError) from gather/scatter kernels
        runtime(() -> Ops.gather(f(3, 4), 1, Tensor.of(new long[] {4}, 1, 1)));
        runtime(() -> Ops.scatterInPlace(f(3), 0, l(3), f(1), false));
    }

    @Test
    void badViewIsRuntimeError() {
        runtime(() -> f(2, 3, 4).view(5, 5));
        runtime(() -> f(3, 4).t().view(12));
        runtime(() -> f(2, 3, 4).view(-1, -1));
        runtime(() -> f(2, 3, 4).reshape(7, -1));
        runtime(() -> f(2, 3, 4).permute(0, 0, 1));
        runtime(() -> f(2, 3, 4).permute(0, 1));
        runtime(() -> f(2, 3, 4).t());
        runtime(() -> f(2, 3, 4).flatten(2, 0));
        runtime(() -> Ops.repeat(f(2, 2), new int[] {2}));
    }

    @Test
    void narrowPastTheEndIsRuntimeError() {
        // torch.zeros(2,3,4).narrow(2, 2, 3): RuntimeError "start (2) + length (3) exceeds dimension size (4)."
        runtime(() -> f(2, 3, 4).narrow(2, 2, 3));
    }

    @Test
    void sliceStepZeroIsValueError() {
        kind(TorchException.Kind.VALUE, () -> f(2, 3).slice(1, 0, 3, 0));
    }

    @Test
    void dtypeErrorsAreRuntimeErrors() {
        runtime(() -> Ops.binaryInPlace(BinaryOp.ADD, Tensor.zeros(DType.INT64, 3), f(3)));
        runtime(() -> Ops.binaryInPlace(BinaryOp.DIV, Tensor.zeros(DType.INT64, 3), Tensor.zeros(DType.INT64, 3)));
        runtime(() -> Ops.mean(Tensor.zeros(DType.INT64, 3), null, false));
        runtime(() -> Ops.binary(BinaryOp.SUB, Tensor.zeros(DType.BOOL, 2), Tensor.zeros(DType.BOOL, 2)));
        runtime(() -> Ops.binary(BinaryOp.BITWISE_AND, f(2), f(2)));
        runtime(() -> Ops.matmul(f(2, 2), Tensor.zeros(DType.FLOAT64, 2, 2)));
        runtime(() -> Ops.maskedFill(f(2), f(2), 0));
        runtime(() -> Ops.gather(f(2, 2), 0, f(2, 2)));
        runtime(() -> Ops.binary(BinaryOp.FLOOR_DIV, l(1), l(0)));
    }

    @Test
    void catOfZeroDimTensorsIsRuntimeError() {
        // torch.cat([torch.tensor(1.), torch.tensor(2.)]): RuntimeError "zero-dimensional tensor (at position 0) cannot be concatenated"
        runtime(() -> Ops.cat(new Tensor[] {Tensor.scalar(DType.FLOAT32, 1), Tensor.scalar(DType.FLOAT32, 2)}, 0));
    }

    @Test
    void errorsCarryTheirPythonName() {
        TorchException e = assertThrows(TorchException.class, () -> f(2).select(0, 5));
        assertEquals("IndexError", e.pyType());
        e = assertThrows(TorchException.class, () -> f(2).view(3));
        assertEquals("RuntimeError", e.pyType());
    }
}
