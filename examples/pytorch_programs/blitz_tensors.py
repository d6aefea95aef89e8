"""60-minute blitz, part 1: tensors — creation, attributes, operations, the NumPy bridge."""
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)

x_ones = torch.ones_like(x_data)  # retains the properties of x_data
print(f"Ones Tensor: \n {x_ones} \n")
x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data
print(f"Random Tensor: \n {x_rand} \n")

shape = (2, 3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
print(f"Random Tensor: \n {rand_tensor} \n")
print(f"Ones Tensor: \n {ones_tensor} \n")
print(f"Zeros Tensor: \n {zeros_tensor}")

tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)

t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print(y1, y2, z1, z2, sep="\n")

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

print(f"{tensor} \n")
tensor.add_(5)
print(tensor)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")

# the operations a learner tries next
x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(x.view(4, 3), x.permute(1, 0).contiguous().shape, x.flatten(), x.unsqueeze(0).shape)
print(torch.stack([x, x]).shape, x.chunk(2, dim=1)[1], x.split([1, 2], dim=0)[1])
print(x.mean(), x.std(dim=0), x.var(1, keepdim=True), x.prod(1), x.cumsum(0))
print(x.max(dim=1), x.min(), x.argmax(), x.topk(2, dim=1), x.sort(descending=True, dim=0))
print(torch.where(x > 5, x, torch.zeros_like(x)), x.clamp(2, 7), x.norm(), x.norm(p=1, dim=1))
print(torch.linspace(0, 1, 5), torch.eye(3), torch.full((2, 2), 7.0), torch.arange(0, 10, 3))
print(x.exp().log().sqrt().abs().pow(2).sin().cos(), x.double().dtype, x.long(), x.bool())
print(torch.mm(x, x.T), torch.bmm(x[None], x.T[None]), x.type(), x.type(torch.float64).type())
print(x.gather(1, torch.tensor([[0], [1], [2]])), x.tolist(), x.numel(), x.dim(), x.size(1))
print(torch.allclose(x, x + 1e-9), torch.equal(x, x.clone()), torch.is_tensor(x))
