package org.jtorch.engine;

/** Every {@link GemmTest} case with Gemm's auto-vectorised kernel (what runs where the Vector API is absent). */
class GemmAutoVectorisedTest extends GemmTest {
    @Override boolean vectorKernel() { return false; }
}
