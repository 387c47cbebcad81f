package org.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import java.util.function.Function;
import org.jtorch.engine.DType;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused float32 layer_norm and GELU against central finite differences (float32 inputs, so a wide step and
 * tolerance), for every combination of layer_norm's optional weight and bias.
 */
class FusedNormGeluTest {
    static Tensor f32(Random r, int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.setD(i, r.nextGaussian());
        return t;
    }

    /** sum(f(inputs) * weights) in double. */
    static double loss(Function<Variable[], Variable> f, Tensor weights, Tensor... in) {
        Variable[] v = new Variable[in.length];
        for (int i = 0; i < in.length; i++) v[i] = in[i] == null ? null : new Variable(in[i]);
        Tensor y = f.apply(v).data;
        double s = 0;
        for (int i = 0; i < y.numel(); i++) s += y.storage.getD(i) * weights.storage.getD(i);
        return s;
    }

    static void check(String name, Function<Variable[], Variable> f, Tensor weights, Tensor... in) {
        Variable[] v = new Variable[in.length];
        for (int i = 0; i < in.length; i++) v[i] = in[i] == null ? null : new Variable(in[i].copy(), true);
        Variable y = f.apply(v);
        assertNotNull(y, name + ": no fused kernel");
        Torch.sum(Torch.binary(org.jtorch.engine.BinaryOp.MUL, y, new Variable(weights)), new int[] {0, 1}, false, null).backward();
        double h = 1e-2;
        for (int k = 0; k < in.length; k++) {
            if (in[k] == null) continue;
            assertNotNull(v[k].grad(), name + ": input " + k + " got no gradient");
            Tensor g = v[k].grad().data;
            for (int i = 0; i < in[k].numel(); i++) {
                double x0 = in[k].storage.getD(i);
                in[k].storage.setD(i, x0 + h);
                double up = loss(f, weights, in);
                in[k].storage.setD(i, x0 - h);
                double down = loss(f, weights, in);
                in[k].storage.setD(i, x0);
                double want = (up - down) / (2 * h);
                assertEquals(want, g.storage.getD(i), 3e-3 + 3e-3 * Math.abs(want), name + ": d/d input " + k + "[" + i + "]");
            }
        }
    }

    @Test void layerNormGradients() {
        Random r = new Random(7);
        Tensor x = f32(r, 3, 6), w = f32(r, 6), b = f32(r, 6), g = f32(r, 3, 6);
        check("weight, bias", v -> Torch.layerNorm(v[0], v[1], v[2], 1e-5), g, x, w, b);
        check("weight only", v -> Torch.layerNorm(v[0], v[1], null, 1e-5), g, x, w);
        check("bias only", v -> Torch.layerNorm(v[0], null, v[1], 1e-5), g, x, b);
        check("neither", v -> Torch.layerNorm(v[0], null, null, 1e-5), g, x);
    }

    @Test void geluGradient() {
        Random r = new Random(8);
        check("gelu", v -> Torch.gelu(v[0]), f32(r, 4, 5), f32(r, 4, 5));
    }
}
