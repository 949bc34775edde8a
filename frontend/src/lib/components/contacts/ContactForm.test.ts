import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../api/types';
import { i18n } from '../../i18n/index.svelte';
import ContactForm from './ContactForm.svelte';
import { fieldError } from './contact';

function input(label: string) {
  return screen.getByLabelText(label) as HTMLInputElement;
}

async function type(label: string, value: string) {
  await fireEvent.input(input(label), { target: { value } });
}

function setup(contact: Contact | null = null, onsave = vi.fn(async () => {})) {
  i18n.setLocale('en');
  const onclose = vi.fn();
  render(ContactForm, { open: true, contact, onsave, onclose });
  return { onsave, onclose };
}

const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save' }));

describe('ContactForm', () => {
  it('opens as "Add contact", visible to everyone by default', () => {
    setup();
    expect(screen.getByRole('heading', { name: 'Add contact' })).toBeTruthy();
    expect((screen.getByLabelText(/Visible to everyone/) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText(/Visible to me/) as HTMLInputElement).checked).toBe(false);
  });

  it('requires a name and does not call the server', async () => {
    const { onsave, onclose } = setup();
    await type('Department', 'Ventes');
    await save();
    expect(onsave).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('Please correct the highlighted fields.');
    expect(screen.getByText('Enter a first name, a last name or a display name.')).toBeTruthy();
    expect(input('First name').getAttribute('aria-invalid')).toBe('true');
  });

  it('flags an implausible number and e-mail address next to the field', async () => {
    const { onsave } = setup();
    await type('First name', 'Hélène');
    await type('Number 1', 'call me');
    await type('E-mail address 1', 'helene.dubois');
    await save();
    expect(onsave).not.toHaveBeenCalled();
    expect(input('Number 1').getAttribute('aria-invalid')).toBe('true');
    expect(input('E-mail address 1').getAttribute('aria-invalid')).toBe('true');
    const describedBy = input('Number 1').getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toContain('This is not a phone number.');
  });

  it('sends the trimmed fields, drops empty rows, and closes on success', async () => {
    const { onsave, onclose } = setup();
    await type('First name', ' Hélène ');
    await type('Last name', 'Dubois');
    await type('Department', 'Ventes');
    await type('Job title', 'Sales assistant');
    await type('Number 1', '+33 1 42 00 00 01');
    await fireEvent.click(screen.getByRole('button', { name: 'Add a number' }));
    await type('Number 2', '   '); // left empty
    await fireEvent.click(screen.getByLabelText(/Visible to me/));
    await save();
    expect(onsave).toHaveBeenCalledTimes(1);
    expect(onsave).toHaveBeenCalledWith(
      expect.objectContaining({
        firstName: 'Hélène',
        lastName: 'Dubois',
        displayName: '',
        department: 'Ventes',
        jobTitle: 'Sales assistant',
        phones: [{ type: 'work', number: '+33 1 42 00 00 01' }],
        emails: [],
        visibility: 'private',
      }),
    );
    const sent = (onsave.mock.calls[0] as unknown[])[0] as Record<string, unknown>;
    expect(sent).not.toHaveProperty('id');
    expect(sent).not.toHaveProperty('updated');
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
  });

  it('shows a thrown server error inline, next to the field it names, and stays open', async () => {
    const onsave = vi.fn(async () => {
      throw new Error('directory: invalid contact: phones[1].number: "+33 (0)" is not a phone number');
    });
    const { onclose } = setup(null, onsave);
    await type('First name', 'Hélène');
    await fireEvent.click(screen.getByRole('button', { name: 'Add a number' }));
    await type('Number 1', '');
    await type('Number 2', '0142000001');
    await fireEvent.click(screen.getByRole('button', { name: 'Add a number' }));
    await type('Number 3', '+33 (0)');
    await save();
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toContain('is not a phone number'));
    expect(screen.getByRole('alert').textContent).toContain('The contact could not be saved');
    // phones[1] of what was sent is the third row: the empty first row was not sent.
    expect(input('Number 3').getAttribute('aria-invalid')).toBe('true');
    expect(input('Number 2').getAttribute('aria-invalid')).toBeNull();
    expect(onclose).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('maps a display name error to the name fields', async () => {
    const onsave = vi.fn(async () => {
      throw new Error('displayName: longer than 200 characters');
    });
    setup(null, onsave);
    await type('Display name', 'x'.repeat(201));
    await save();
    await vi.waitFor(() => expect(input('Display name').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('longer than 200 characters')).toBeTruthy();
  });

  it('edits an existing contact: prefilled, keeps server fields, derived display name left empty', async () => {
    const contact: Contact = {
      id: 'c-1',
      firstName: 'Hélène',
      lastName: 'Dubois',
      displayName: 'Hélène Dubois',
      department: 'Ventes',
      phones: [{ type: 'mobile', number: '+33 6 00 00 00 01' }],
      emails: ['helene@example.com'],
      custom: { badge: '42' },
      visibility: 'private',
      source: 'local',
      owner: 'admin',
      updated: '2025-11-25T10:00:00Z',
    };
    const { onsave } = setup(contact);
    expect(screen.getByRole('heading', { name: 'Edit contact' })).toBeTruthy();
    expect(input('First name').value).toBe('Hélène');
    expect(input('Display name').value).toBe('');
    expect(input('Number 1').value).toBe('+33 6 00 00 00 01');
    expect((screen.getByLabelText('Type of number 1') as HTMLSelectElement).value).toBe('mobile');
    expect((screen.getByLabelText(/Visible to me/) as HTMLInputElement).checked).toBe(true);
    await type('Job title', 'Head of sales');
    await save();
    expect(onsave).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'c-1',
        jobTitle: 'Head of sales',
        custom: { badge: '42' },
        owner: 'admin',
        source: 'local',
        updated: '2025-11-25T10:00:00Z',
        emails: ['helene@example.com'],
      }),
    );
  });

  it('Cancel closes without saving', async () => {
    const { onsave, onclose } = setup();
    await type('First name', 'Hélène');
    await fireEvent.click(screen.getAllByRole('button', { name: 'Cancel' })[0]);
    expect(onclose).toHaveBeenCalled();
    expect(onsave).not.toHaveBeenCalled();
  });
});

describe('fieldError', () => {
  it('finds the field in server messages', () => {
    expect(fieldError('displayName: longer than 200 characters')).toEqual({
      field: 'displayName',
      index: undefined,
      reason: 'longer than 200 characters',
    });
    expect(fieldError('directory: invalid contact: emails[2]: "x" is not an e-mail address')).toMatchObject({
      field: 'emails',
      index: 2,
    });
    expect(fieldError('contact not found')).toBeNull();
  });
});
