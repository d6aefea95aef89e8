"""A small Transformer encoder classifies tone sequences: frames of a waveform are embedded,
given learned positions, read by two encoder layers (multi-head self-attention and a
feed-forward block, pre-norm), averaged and classified. The last batch's attention map of
the first head is printed. Trained with AdamW on waveforms made in the program (no files)."""
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


class ToneTransformer(nn.Module):
    def __init__(self, d_model=16, frames=SAMPLES // FRAME):
        super().__init__()
        self.embed = nn.Linear(FRAME, d_model)
        self.position = nn.Parameter(torch.zeros(1, frames, d_model))
        # bias=False: the key projection's bias has no effect on the softmax (its gradient
        # is 0 up to rounding, which Adam's normalised step would amplify)
        layer = nn.TransformerEncoderLayer(d_model, nhead=2, dim_feedforward=32, dropout=0.0,
                                           batch_first=True, norm_first=True, bias=False)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(d_model, len(FREQUENCIES))

    def forward(self, x):
        h = self.encoder(self.embed(x) + self.position)
        return self.head(self.drop(h.mean(1)))


train = TensorDataset(*sequences(96))
test_x, test_y = sequences(48)
loader = DataLoader(train, batch_size=16, shuffle=True)
model = ToneTransformer()
print(model)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
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

with torch.no_grad():
    attention = model.encoder.layers[0].self_attn
    h = model.encoder.layers[0].norm1(model.embed(test_x[:1]) + model.position)
    _, weights = attention(h, h, h, average_attn_weights=False)
print("attention of head 0, first 4 frames:")
print(weights[0, 0, :4, :4])
