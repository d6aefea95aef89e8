"""The tutorial's perceptron: three inputs, weights, a bias and a sigmoid — first as plain
Python (exactly the tutorial's code), then as minitorch tensors, which must agree."""
import math

import minitorch as torch


# 1. the tutorial's neuron: linear part y = w·x + b, then sigmoid y = 1 / (1 + e^-y)
def neuron(input, weight, bias):
    output = 0
    for x, w in zip(input, weight):
        output += w * x
    output = output + bias
    output = 1 / (1 + math.exp(-output))
    return output


input = [1, 2, 3]
weight = [0.1, 0.4, 0.2]
bias = 0.02

output = neuron(input, weight, bias)
print(output)

# 2. the same neuron with tensors: a dot product and torch.sigmoid
x = torch.tensor(input, dtype=torch.float64)
w = torch.tensor(weight, dtype=torch.float64)
y = torch.sigmoid((x * w).sum() + bias)
print(y)
assert abs(y.item() - output) < 1e-12
