package org.jtorch.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.graalvm.polyglot.Value;
import org.jtorch.autograd.GradMode;
import org.jtorch.autograd.Variable;
import org.jtorch.bridge.JTorch;
import org.jtorch.bridge.PyModule;
import org.jtorch.bridge.PyOptimizer;
import org.jtorch.bridge.Session;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Tensor;

/**
 * Trains a small PyTorch model from a Java application: the data are Java arrays (wrapped, not copied), the
 * model is a Python {@code nn.Module} loaded from this jar's resources, training runs a Python optimizer with
 * {@code backward()} called from Java, then a few steps of plain SGD written in Java over the same parameters,
 * and inference takes Java arrays in and gives a Java tensor back.
 */
public final class TrainFromJava {
    private TrainFromJava() {}

    public static void main(String[] args) throws IOException {
        // the data: points in [-2, 2]^2, class 1 outside the circle of radius 1.2
        int n = 256;
        float[] xs = new float[n * 2];
        long[] labels = new long[n];
        Random rnd = new Random(0);
        for (int i = 0; i < n; i++) {
            float a = rnd.nextFloat() * 4 - 2, b = rnd.nextFloat() * 4 - 2;
            xs[2 * i] = a;
            xs[2 * i + 1] = b;
            labels[i] = a * a + b * b > 1.44f ? 1 : 0;
        }

        long t0 = System.nanoTime();
        try (Session s = JTorch.session().build()) {   // the torch package comes from the torch-py-shim jar
            System.out.printf("session ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            s.importSource("rings", resource("rings.py"));
            s.eval("import torch; torch.manual_seed(0)");
            PyModule model = s.newModule("rings", "RingClassifier", 16);

            Map<String, Tensor> params = model.parameters();     // the module's own tensors (no copy)
            int count = 0;
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                System.out.printf("  %-14s %s%n", e.getKey(), java.util.Arrays.toString(e.getValue().shape()));
                count += e.getValue().numel();
            }
            System.out.println("parameters: " + count);

            Variable x = new Variable(JTorch.tensor(xs, n, 2));   // wraps the Java array
            Variable y = new Variable(JTorch.tensor(labels));
            Value crossEntropy = s.resolve("torch.nn.functional.cross_entropy");
            Value accuracy = s.resolve("rings.accuracy");

            // 1. a Python optimizer, driven from Java
            PyOptimizer opt = s.optimizer("Adam", model, Map.of("lr", 0.03));
            long t1 = System.nanoTime();
            for (int epoch = 1; epoch <= 150; epoch++) {
                opt.zeroGrad();
                Variable loss = (Variable) s.call(crossEntropy, model.forward(x), y);
                loss.backward();                                   // the Java autograd engine
                opt.step();
                if (epoch % 30 == 0)
                    System.out.printf("epoch %3d  loss %.4f  accuracy %.3f%n", epoch, loss.data.item(),
                        (Double) s.call(accuracy, model.call(x.data), y.data));
            }
            System.out.printf("150 Adam steps in %.1f s%n", (System.nanoTime() - t1) / 1e9);

            // 2. plain SGD written in Java, over the same parameter tensors
            Map<String, Variable> pv = model.parameterVariables();
            double lr = 0.05;
            Variable loss = null;
            for (int step = 0; step < 20; step++) {
                loss = (Variable) s.call(crossEntropy, model.forward(x), y);
                loss.backward();
                boolean prev = GradMode.set(false);
                try {
                    for (Variable p : pv.values()) {
                        Ops.binaryInPlace(BinaryOp.SUB, p.data, Ops.binaryScalar(BinaryOp.MUL, p.grad().data, lr, 2, false));
                        p.setGrad(null);
                    }
                } finally {
                    GradMode.set(prev);
                }
            }
            System.out.printf("after 20 Java SGD steps: loss %.4f%n", loss.data.item());

            // 3. inference: Java array in, Java tensor out
            model.eval();
            float[] probe = {0f, 0f, 1.9f, 1.9f, 0.5f, -0.3f, -1.8f, 0.2f};
            Tensor logits = model.call(JTorch.tensor(probe, 4, 2));
            long[] predicted = Ops.argmax(logits, 1, false, true).toLongArray();
            for (int i = 0; i < 4; i++)
                System.out.printf("  (%5.2f, %5.2f) -> %s%n", probe[2 * i], probe[2 * i + 1], predicted[i] == 0 ? "inside" : "outside");

            // the tensor Java took before training is the one the optimizers updated
            Tensor w = params.get("net.0.weight");
            double fromPython = s.eval("lambda m: m.net[0].weight[0, 0].item()").execute(model.value()).asDouble();
            System.out.printf("net.0.weight[0,0]: Java sees %.5f, Python sees %.5f%n", w.toFloatArray()[0], fromPython);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TrainFromJava.class.getResourceAsStream("/" + name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
