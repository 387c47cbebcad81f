/**
 * Reading and writing PyTorch checkpoint files ({@code .pt}, the zip format of {@code torch.save}) in plain Java:
 * {@link org.jtorch.engine.io.PtFile} is the API; the rest is a restricted pickle reader that never runs
 * code from a file, a protocol-2 pickle writer and a small zip reader and writer (zip64, 64-byte aligned records).
 */
package org.jtorch.engine.io;
