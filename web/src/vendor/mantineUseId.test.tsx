import { useId } from '@mantine/hooks';
import { render, screen } from '@testing-library/react';

function Probe({ id, renders }: { id?: string; renders: string[] }) {
  const got = useId(id);
  renders.push(got);
  return <output aria-label="id">{got}</output>;
}

describe("Mantine's useId, as the app builds it (vite.config.ts swaps in src/vendor/mantineUseId.ts)", () => {
  it('gives a component its id on the first render and keeps it, without rendering it again', () => {
    const renders: string[] = [];
    const { rerender } = render(<Probe renders={renders} />);
    expect(renders).toHaveLength(1);
    const id = screen.getByLabelText('id').textContent!;
    expect(id).toMatch(/^mantine-[A-Za-z0-9_-]+$/);
    rerender(<Probe renders={renders} />);
    expect(renders).toEqual([id, id]);
  });

  it('gives ids that differ between components, and a given id as it is', () => {
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    render(
      <>
        <Probe renders={a} />
        <Probe renders={b} />
        <Probe id="chosen" renders={c} />
      </>,
    );
    expect(a[0]).not.toEqual(b[0]);
    expect(c).toEqual(['chosen']);
  });
});
