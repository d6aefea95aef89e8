"""The tutorial's shallow network (one hidden layer), with minitorch tensors in place of
NumPy arrays: np.dot → torch.matmul, np.exp → torch.exp."""
import minitorch as torch
from minitorch import nn


class ShallowNet:
    def __init__(self, weight1, bias1, weight2, bias2):
        self.weight1 = weight1
        self.bias1 = bias1
        self.weight2 = weight2
        self.bias2 = bias2

    def calculate(self, x):
        output = torch.matmul(x, self.weight1) + self.bias1
        output = 1 / (1 + torch.exp(-output))
        y = torch.matmul(output, self.weight2) + self.bias2
        y = 1 / (1 + torch.exp(-y))
        return y


input = torch.tensor([1., 2., 3.])
weight1 = torch.tensor([[0.1, 0.2, 0.3, 0.4],
                        [0.2, 0.3, 0.4, 0.5],
                        [0.1, 0.2, 0.4, 0.3]])
bias1 = 0.01
weight2 = torch.tensor([[0.3, 0.2, 0.1],
                        [0.2, 0.1, 0.3],
                        [0.5, 0.6, 0.7],
                        [0.1, 0.2, 0.3]])
bias2 = 0.02
mynn = ShallowNet(weight1=weight1, bias1=bias1, weight2=weight2, bias2=bias2)
output = mynn.calculate(input)
print(output)


# The same network as an nn.Module: two Linear layers and Sigmoids. nn.Linear stores Wᵀ.
class ShallowModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 3)
        self.act = nn.Sigmoid()

    def forward(self, x):
        return self.act(self.out(self.act(self.hidden(x))))


module = ShallowModule()
with torch.no_grad():
    module.hidden.weight.copy_(weight1.T)
    module.hidden.bias.fill_(bias1)
    module.out.weight.copy_(weight2.T)
    module.out.bias.fill_(bias2)
print(module(input))
assert torch.allclose(module(input), output, atol=1e-6)
