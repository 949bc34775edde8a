import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.svelte';
import Devices from './Devices.svelte';

function fakeAPI() {
  return {
    list: vi.fn(async () => [
      { name: 'USB Headset', input: true, output: true, defaultInput: false, defaultOutput: false },
      { name: 'Speakers', input: false, output: true, defaultInput: false, defaultOutput: true },
    ]),
    ringtones: vi.fn(async () => ['classic', 'soft']),
    get: vi.fn(async () => ({ ringer: 'Speakers', input: '', output: '', ringtone: '' })),
    save: vi.fn(async () => null),
    testTone: vi.fn(async () => null),
    playRingtone: vi.fn(async () => null),
    micLevel: vi.fn(async () => -23.5),
  };
}

describe('Devices settings', () => {
  it('saves the chosen devices and tests them where chosen', async () => {
    i18n.setLocale('en');
    const api = fakeAPI();
    render(Devices, { api });
    const output = (await screen.findByLabelText('Headset earpiece')) as HTMLSelectElement;
    await waitFor(() => expect(output.options.length).toBe(3));
    expect((screen.getByLabelText('Ringer') as HTMLSelectElement).value).toBe('Speakers');
    // Only devices with inputs are offered as microphones.
    expect((screen.getByLabelText('Headset microphone') as HTMLSelectElement).options.length).toBe(2);

    await fireEvent.change(output, { target: { value: 'USB Headset' } });
    expect(api.save).toHaveBeenLastCalledWith({ ringer: 'Speakers', input: '', output: 'USB Headset', ringtone: '' });

    await fireEvent.click(screen.getByRole('button', { name: 'Test tone' }));
    expect(api.testTone).toHaveBeenCalledWith('USB Headset');

    await fireEvent.change(screen.getByLabelText('Ringtone'), { target: { value: 'soft' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Play' }));
    expect(api.playRingtone).toHaveBeenCalledWith('Speakers', 'soft');

    await fireEvent.click(screen.getByRole('button', { name: 'Test microphone' }));
    expect(await screen.findByText('Microphone level: -23.5 dB')).toBeTruthy();
  });

  it('shows why a device cannot be used', async () => {
    i18n.setLocale('en');
    const api = fakeAPI();
    api.testTone.mockRejectedValueOnce(new Error('audio: no such device: no output device named "USB Headset"'));
    render(Devices, { api });
    await screen.findByLabelText('Headset earpiece');
    await fireEvent.click(await screen.findByRole('button', { name: 'Test tone' }));
    expect((await screen.findByRole('alert')).textContent).toContain('no output device named');
  });
});
