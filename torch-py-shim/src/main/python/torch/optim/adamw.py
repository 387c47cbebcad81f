"""AdamW (PyTorch 2.x single-tensor implementation: decoupled weight decay)."""
import torch
from .adam import Adam, adam, _check_adam_args
from .optimizer import Optimizer

__all__ = ['AdamW', 'adamw']


class AdamW(Adam):
    r"""Implements AdamW algorithm (Adam with decoupled weight decay, Loshchilov & Hutter)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2, amsgrad=False, *, maximize=False,
                 foreach=None, capturable=False, differentiable=False, fused=None):
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad,
                        foreach=foreach, maximize=maximize, capturable=capturable,
                        differentiable=differentiable, fused=fused)
        Optimizer.__init__(self, params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): A closure that reevaluates the model
                and returns the loss.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        grad_ctx = torch.enable_grad() if self.defaults.get('differentiable', False) else torch.no_grad()
        with grad_ctx:
            for group in self.param_groups:
                params_with_grad = []
                grads = []
                exp_avgs = []
                exp_avg_sqs = []
                max_exp_avg_sqs = []
                state_steps = []
                beta1, beta2 = group['betas']

                self._init_group(group, params_with_grad, grads, exp_avgs, exp_avg_sqs,
                                 max_exp_avg_sqs, state_steps)

                adamw(params_with_grad, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
                      amsgrad=group['amsgrad'], beta1=beta1, beta2=beta2, lr=group['lr'],
                      weight_decay=group['weight_decay'], eps=group['eps'], maximize=group['maximize'])

        return loss


def adamw(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *,
          amsgrad, beta1, beta2, lr, weight_decay, eps, maximize, **kwargs):
    r"""Functional API that performs AdamW algorithm computation."""
    adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
         amsgrad=amsgrad, beta1=beta1, beta2=beta2, lr=lr, weight_decay=weight_decay,
         eps=eps, maximize=maximize, decoupled_weight_decay=True)
