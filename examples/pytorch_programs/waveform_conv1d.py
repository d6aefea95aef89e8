"""A 1-D CNN that tells three tones apart from their noisy waveforms: Conv1d, MaxPool1d,
AvgPool1d, AdaptiveAvgPool1d and the ReLU family's relatives (LeakyReLU, PReLU, ELU),
trained with AdamW on waveforms made in the program (no files)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SAMPLES, RATE = 256, 256.0
FREQUENCIES = (8.0, 20.0, 40.0)  # Hz: one tone per class


def waveforms(n):
    labels = torch.randint(0, len(FREQUENCIES), (n,))
    t = torch.arange(SAMPLES) / RATE
    freq = torch.tensor(FREQUENCIES)[labels].unsqueeze(1)
    phase = torch.rand(n, 1) * 6.28
    x = torch.sin(6.28318 * freq * t + phase) + 0.5 * torch.randn(n, SAMPLES)
    return x.unsqueeze(1), labels  # (N, 1, L)


class ToneNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 8, kernel_size=9, stride=2, padding=4), nn.LeakyReLU(0.1),
            nn.MaxPool1d(2),
            nn.Conv1d(8, 16, kernel_size=5, padding="same", padding_mode="reflect"),
            nn.PReLU(16), nn.AvgPool1d(2),
            nn.Conv1d(16, 16, kernel_size=3, groups=4), nn.ELU(),
            nn.AdaptiveAvgPool1d(4))
        self.classifier = nn.Linear(64, len(FREQUENCIES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


train = TensorDataset(*waveforms(96))
test_x, test_y = waveforms(48)
loader = DataLoader(train, batch_size=16, shuffle=True)
model = ToneNet()
print(model)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(1, 4):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    model.eval()
    with torch.no_grad():
        correct = (model(test_x).argmax(1) == test_y).sum().item()
    print(f"epoch {epoch}: train loss {total / len(train):.6f}, "
          f"test accuracy {correct}/{len(test_y)}")
