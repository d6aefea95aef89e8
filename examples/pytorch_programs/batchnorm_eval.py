"""BatchNorm in training and in eval mode: running statistics, num_batches_tracked, and the
switch from batch statistics to running statistics after model.eval()."""
import torch
import torch.nn as nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(1, 4, 3),
    nn.BatchNorm2d(4),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(4 * 6 * 6, 8),
    nn.BatchNorm1d(8),
    nn.ReLU(),
    nn.Linear(8, 2),
)
print(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

x = torch.randn(16, 1, 8, 8)
y = torch.randint(0, 2, (16,))
model.train()
for step in range(5):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.6f}")

print(model[1].running_mean, model[1].running_var, model[1].num_batches_tracked)
print(model[5].running_mean, model[5].running_var)
print(list(model.state_dict().keys()))

model.eval()
x_test = torch.randn(4, 1, 8, 8)
with torch.no_grad():
    out_eval = model(x_test)
    print(out_eval)
    print(model(x_test[:1]))  # eval mode: one sample gives the same row as in the batch
model.train()
with torch.no_grad():
    print(model(x_test))
