"""A recurrent classifier of tone sequences: each waveform is cut into frames (the way audio
front-ends feed an RNN), a 2-layer bidirectional LSTM reads them, a GRU cell refines the
summary (after dropout), and a linear layer names the tone. Trained with Adam and gradient
clipping on waveforms made in the program (no files)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SAMPLES, RATE, FRAME = 256, 256.0, 16
FREQUENCIES = (8.0, 20.0, 40.0)  # Hz: one tone per class


def sequences(n):
    labels = torch.randint(0, len(FREQUENCIES), (n,))
    t = torch.arange(SAMPLES) / RATE
    freq = torch.tensor(FREQUENCIES)[labels].unsqueeze(1)
    phase = torch.rand(n, 1) * 6.28
    x = torch.sin(6.28318 * freq * t + phase) + 0.3 * torch.randn(n, SAMPLES)
    return x.reshape(n, SAMPLES // FRAME, FRAME), labels  # (N, frames, samples per frame)


class ToneReader(nn.Module):
    def __init__(self, hidden=12):
        super().__init__()
        self.lstm = nn.LSTM(FRAME, hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(0.2)
        self.cell = nn.GRUCell(2 * hidden, hidden)
        self.head = nn.Linear(hidden, len(FREQUENCIES))

    def forward(self, x):
        out, (h, c) = self.lstm(x)  # out: (N, frames, 2·hidden)
        # the last step, seeded by the last layer's final state (backward direction)
        summary = self.cell(self.drop(out[:, -1]), h[-1])
        return self.head(summary)


train = TensorDataset(*sequences(96))
test_x, test_y = sequences(48)
loader = DataLoader(train, batch_size=16, shuffle=True)
model = ToneReader()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(1, 4):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item() * len(y)
    model.eval()
    with torch.no_grad():
        correct = (model(test_x).argmax(1) == test_y).sum().item()
    print(f"epoch {epoch}: train loss {total / len(train):.6f}, "
          f"test accuracy {correct}/{len(test_y)}")
