"""A Wasserstein GAN with gradient penalty on 2-D toy data: the critic's penalty needs the
gradient of its output with respect to its input, kept in the graph (create_graph=True)."""
import torch
import torch.nn as nn
from torch import autograd

torch.manual_seed(0)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                                 nn.Linear(32, 2))

    def forward(self, z):
        return self.net(z)


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                                 nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x)


def real_batch(n):
    centers = torch.tensor([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    idx = torch.randint(0, 4, (n,))
    return centers[idx] + 0.1 * torch.randn(n, 2)


def compute_gradient_penalty(D, real_samples, fake_samples):
    """Calculates the gradient penalty loss for WGAN GP"""
    alpha = torch.rand(real_samples.size(0), 1)
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = torch.ones(real_samples.shape[0], 1)
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=fake,
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


generator, critic = Generator(), Critic()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.9))
optimizer_D = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
lambda_gp = 10
n_critic = 5

for step in range(40):
    real = real_batch(32)
    z = torch.randn(32, 2)
    fake = generator(z)

    optimizer_D.zero_grad()
    gradient_penalty = compute_gradient_penalty(critic, real, fake.detach())
    d_loss = -torch.mean(critic(real)) + torch.mean(critic(fake.detach())) \
        + lambda_gp * gradient_penalty
    d_loss.backward()
    optimizer_D.step()

    if step % n_critic == 0:
        optimizer_G.zero_grad()
        g_loss = -torch.mean(critic(generator(z)))
        g_loss.backward()
        optimizer_G.step()
        print(f"[step {step}] D loss: {d_loss.item():.5f} GP: {gradient_penalty.item():.5f} "
              f"G loss: {g_loss.item():.5f}")
