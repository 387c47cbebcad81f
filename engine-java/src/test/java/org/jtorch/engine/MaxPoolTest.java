package org.jtorch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 2x2 max-pooling fast path against the generic element loop (which float64 tensors take): same
 * values bit for bit (the sign of a zero, NaN) and same indices (the first largest; a NaN wins), on data full of
 * ties, zeros of both signs, infinities and NaNs.
 */
class MaxPoolTest {
    @Test void fastPathMatchesGenericLoop() {
        float[] specials = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f};
        Random rnd = new Random(7);
        for (int[] shape : new int[][] {{2, 3, 6, 6}, {1, 2, 7, 9}, {3, 1, 26, 26}, {1, 1, 2, 2}}) {
            Tensor x = Tensor.empty(DType.FLOAT32, shape);
            float[] a = ((Storage.F32) x.storage).a;
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(3) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(5) - 2;
            Tensor xd = Ops.to(x, DType.FLOAT64);
            Window2d w = new Window2d(2, 2, 2, 2, 0, 0, 1, 1);
            int oh = shape[2] / 2, ow = shape[3] / 2;
            Tensor out = Tensor.empty(DType.FLOAT32, shape[0], shape[1], oh, ow), idx = Tensor.empty(DType.INT64, shape[0], shape[1], oh, ow);
            Tensor outD = Tensor.empty(DType.FLOAT64, shape[0], shape[1], oh, ow), idxD = Tensor.empty(DType.INT64, shape[0], shape[1], oh, ow);
            CpuWindows.pool2d(x, w, true, false, 0, out, idx);
            CpuWindows.pool2d(xd, w, true, false, 0, outD, idxD);
            float[] o = ((Storage.F32) out.storage).a;
            double[] od = ((Storage.F64) outD.storage).a;
            long[] ix = ((Storage.I64) idx.storage).a, ixd = ((Storage.I64) idxD.storage).a;
            for (int i = 0; i < o.length; i++) {
                assertEquals(Float.floatToIntBits((float) od[i]), Float.floatToIntBits(o[i]), "value at " + i);
                assertEquals(ixd[i], ix[i], "index at " + i);
            }
        }
    }
}
