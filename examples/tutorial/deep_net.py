"""The tutorial's deep network: layer sizes [input] + hidden + [output], random weights in
[0, 1), a sigmoid after every layer — as the tutorial's class, then as an nn.Module."""
import minitorch as torch
from minitorch import nn


class DeepNet:
    def __init__(self, input_num, output_num, hidden_num) -> None:
        self.model = [input_num] + hidden_num + [output_num]
        self.weight = []
        self.layer_num = len(self.model)
        for i in range(self.layer_num - 1):
            current_weight = torch.rand(self.model[i], self.model[i + 1])
            self.weight.append(current_weight)
        self.bias = 0

    def calculate(self, data):
        for w in self.weight:
            y = torch.matmul(data, w)
            y = 1 / (1 + torch.exp(-y))
            data = y
        return y


class DeepModule(nn.Module):
    """The same architecture with Linear layers (no bias, as the tutorial's net)."""

    def __init__(self, input_num, output_num, hidden_num):
        super().__init__()
        sizes = [input_num] + hidden_num + [output_num]
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out, bias=False), nn.Sigmoid()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


torch.manual_seed(0)
input_num = 3
output_num = 1
hidden_num = [3, 2, 3]
net = DeepNet(input_num, output_num, hidden_num)
data = torch.tensor([1., 2., 3.])
print(net.calculate(data))

module = DeepModule(input_num, output_num, hidden_num)
with torch.no_grad():
    for layer, w in zip(module.model[::2], net.weight):
        layer.weight.copy_(w.T)
print(module)
print(module(data))
assert torch.allclose(module(data), net.calculate(data), atol=1e-6)
