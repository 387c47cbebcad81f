package org.jtorch.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Python model code used by the embedding tests, written to a folder that sessions add to sys.path. */
final class TestModels {
    private TestModels() {}

    static final String SOURCE = """
        import torch
        from torch import nn


        class MLP(nn.Module):
            def __init__(self, n_in=4, hidden=8, n_out=1):
                super().__init__()
                self.fc1 = nn.Linear(n_in, hidden)
                self.fc2 = nn.Linear(hidden, n_out)

            def forward(self, x):
                return self.fc2(torch.tanh(self.fc1(x)))


        class Scaler(nn.Module):
            \"""Doubles its input in place (the caller's memory) and returns its own buffer.\"""
            def __init__(self):
                super().__init__()
                self.register_buffer("state", torch.zeros(3))

            def forward(self, x):
                x.mul_(2)
                return self.state


        class Stats(nn.Module):
            def forward(self, x, scale=1.0):
                return {"mean": x.mean() * scale, "parts": (x[0], x.shape[0]), "name": "stats"}
        """;

    /** A fresh folder holding tiny_models.py. */
    static Path writeTo(Path dir) {
        try {
            Files.writeString(dir.resolve("tiny_models.py"), SOURCE);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The torch package in the source tree (set by the tests module's pom). */
    static Path shimSource() {
        return Path.of(System.getProperty("jtorch.shim.src", "../torch-py-shim/src/main/python")).toAbsolutePath().normalize();
    }

    /** n x 4 inputs, uniform in [-1, 1), from a fixed seed. */
    static float[] inputs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 4];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    /** targets y = x . (0.5, -1, 2, 0.25) + 0.3 */
    static float[] linearTargets(float[] x) {
        float[] w = {0.5f, -1f, 2f, 0.25f};
        float[] y = new float[x.length / 4];
        for (int i = 0; i < y.length; i++) {
            float s = 0.3f;
            for (int j = 0; j < 4; j++) s += x[i * 4 + j] * w[j];
            y[i] = s;
        }
        return y;
    }
}
