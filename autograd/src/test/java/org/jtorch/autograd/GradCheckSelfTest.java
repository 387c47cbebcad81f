package org.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The gradient checker itself: it must pass a right gradient and catch wrong ones. */
class GradCheckSelfTest {
    /** y = x^2 recorded with the given derivative factor (2 is right). */
    static Variable square(Variable x, double factor) {
        Variable out = new Variable(G.mul(x.data, x.data));
        if (GradMode.isEnabled())
            Torch.recordCustom("SquareBackward", new Variable[] {out}, new Variable[] {x},
                gs -> new Variable[] {new Variable(G.mul(G.mul(gs[0].data, x.data), factor))});
        return out;
    }

    static final Tensor X = Tensor.of(new double[] {0.5, -1.5, 2.0}, 3);

    @Test
    void passesACorrectGradient() {
        GradCheck.check("square", GradCheck.one(v -> square(v[0], 2.0)), X);
    }

    @Test
    void catchesAWrongGradient() {
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("bad", GradCheck.one(v -> square(v[0], 2.01)), X));
    }

    @Test
    void catchesAMissingGradient() {
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("missing", GradCheck.one(v -> Torch.binary(org.jtorch.engine.BinaryOp.ADD,
            square(v[0], 2.0), new Variable(G.mul(v[1].data, v[1].data)))), X, X));
    }
}
