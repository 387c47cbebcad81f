"""Train a small MLP to separate two interleaved spirals — a plain PyTorch script, run with scripts/jtorch."""
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
n = 200
t = torch.linspace(0.0, 3.0 * math.pi, n)
spiral = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 10
inputs = torch.cat([spiral, -spiral])
labels = torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))

    def forward(self, x):
        return self.net(x)


model = MLP()
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
start = time.time()
for epoch in range(1, 301):
    optimizer.zero_grad()
    logits = model(inputs)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        acc = (logits.argmax(dim=1) == labels).float().mean().item()
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}  accuracy {acc:.3f}")
with torch.no_grad():
    acc = (model(inputs).argmax(dim=1) == labels).float().mean().item()
print(f"final accuracy {acc:.3f} ({time.time() - start:.1f} s of training)")
