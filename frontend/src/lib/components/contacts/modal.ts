// <dialog> helpers that also work where showModal() is missing (jsdom in unit tests).

export function isOpen(d: HTMLDialogElement): boolean {
  return d.hasAttribute('open');
}

export function openModal(d: HTMLDialogElement) {
  if (isOpen(d)) return;
  if (typeof d.showModal === 'function') d.showModal();
  else d.setAttribute('open', '');
}

export function closeModal(d: HTMLDialogElement) {
  if (!isOpen(d)) return;
  if (typeof d.close === 'function') d.close();
  else d.removeAttribute('open');
}
