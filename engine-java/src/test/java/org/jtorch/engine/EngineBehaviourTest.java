package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Storage sharing, version counters and other engine properties that are not plain values. */
class EngineBehaviourTest {
    static Tensor ar(int... shape) {
        Tensor t = Ops.arange(0, Shape.numel(shape), 1, DType.FLOAT32);
        return t.view(shape);
    }

    @Test
    void viewsShareStorageAndWritesShowThrough() {
        Tensor x = ar(3, 4);
        Tensor v = x.t().select(0, 1); // column 1
        assertSame(x.storage, v.storage);
        v.fill(-1);
        assertArrayEquals(new double[] {0, -1, 2, 3, 4, -1, 6, 7, 8, -1, 10, 11}, x.toDoubleArray());
        Tensor n = x.narrow(1, 2, 2);
        n.copyFrom(Tensor.of(new float[] {7, 9}, 2));
        assertArrayEquals(new double[] {0, -1, 7, 9, 4, -1, 7, 9, 8, -1, 7, 9}, x.toDoubleArray());
    }

    @Test
    void inPlaceWritesBumpTheVersion() {
        Tensor x = ar(2, 3);
        int v0 = x.storage.version;
        x.select(0, 1).fill(3);
        assertTrue(x.storage.version > v0);
        int v1 = x.storage.version;
        Ops.binaryInPlace(BinaryOp.ADD, x.t(), Tensor.scalar(DType.FLOAT32, 1));
        assertTrue(x.storage.version > v1);
        int v2 = x.storage.version;
        Ops.unaryInPlace(UnaryOp.NEG, x, 0, 0);
        assertTrue(x.storage.version > v2);
        int v3 = x.storage.version;
        Ops.indexPutInPlace(x, new Tensor[] {Tensor.of(new long[] {0}, 1)}, Tensor.scalar(DType.FLOAT32, 5), false);
        assertTrue(x.storage.version > v3);
        int v4 = x.storage.version;
        Ops.scatterInPlace(x, 1, Tensor.of(new long[] {0, 0}, 2, 1), Tensor.zeros(DType.FLOAT32, 2, 1), false);
        assertTrue(x.storage.version > v4);
        // out-of-place ops leave it alone
        int v5 = x.storage.version;
        Ops.binary(BinaryOp.ADD, x, x);
        x.t().contiguous();
        assertEquals(v5, x.storage.version);
    }

    @Test
    void inPlaceOnOverlappingOperand() {
        // x += x.flip(0) must read the original values
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Ops.binaryInPlace(BinaryOp.ADD, x, x.asStrided(new int[] {3}, new int[] {-1}, 2));
        assertArrayEquals(new double[] {4, 4, 4}, x.toDoubleArray());
    }

    @Test
    void contiguousAndReshapeCopyOnlyWhenNeeded() {
        Tensor x = ar(3, 4);
        assertSame(x, x.contiguous());
        Tensor t = x.t();
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertNotSame(t.storage, c.storage);
        assertTrue(c.isContiguous());
        assertSame(x.storage, x.reshape(2, 6).storage);
        assertNotSame(x.storage, t.reshape(12).storage);
        assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.reshape(12).toDoubleArray());
        assertTrue(t.canView(4, 3, 1));
        assertFalse(t.canView(12));
    }

    @Test
    void emptyTensorsAreContiguous() {
        // PyTorch: a tensor with no elements is contiguous whatever its strides
        Tensor e = ar(2, 3, 4).slice(1, 2, 1, 1);
        assertArrayEquals(new int[] {2, 0, 4}, e.shape());
        assertTrue(e.isContiguous());
    }

    @Test
    void splitReturnsViews() {
        Tensor x = ar(2, 6);
        Tensor[] parts = Ops.splitSizes(x, new int[] {2, 4}, 1);
        parts[1].fill(0);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 6, 7, 0, 0, 0, 0}, x.toDoubleArray());
    }

    @Test
    void dtypePromotionTable() {
        assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT32, DType.FLOAT64));
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.INT32, DType.promote(DType.BOOL, DType.INT32));
        assertEquals(DType.BOOL, DType.promote(DType.BOOL, DType.BOOL));
        Tensor i32 = Tensor.zeros(DType.INT32, 2);
        assertEquals(DType.INT32, Ops.scalarResultType(i32.dtype, 1));
        assertEquals(DType.FLOAT32, Ops.scalarResultType(i32.dtype, 2));
        assertEquals(DType.INT64, Ops.scalarResultType(DType.BOOL, 1));
        assertEquals(DType.FLOAT64, Ops.scalarResultType(DType.FLOAT64, 2));
        assertEquals(DType.FLOAT64, DType.byName("float64"));
        assertEquals(DType.INT64, DType.byName("INT64"));
    }

    @Test
    void itemAndArrays() {
        Tensor x = Tensor.of(new long[] {9007199254740993L}, 1);
        assertEquals(9007199254740993L, x.itemLong());
        assertEquals(2.5, Tensor.scalar(DType.FLOAT64, 2.5).item());
        assertArrayEquals(new long[] {1, 0, 1}, Ops.to(Tensor.of(new float[] {2f, 0f, -1f}, 3), DType.BOOL).toLongArray());
    }
}
