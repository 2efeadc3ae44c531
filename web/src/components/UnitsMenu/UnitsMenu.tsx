import { Button, Popover, SegmentedControl, Stack, Text } from '@mantine/core';
import { setUnitPref, UNIT_CHOICES, unitLabel, useUnitPrefs, type UnitQuantity } from '../../util/units';

/** Lets the viewer pick °C or °F, mg/dL or mmol/L, kg or lb, cm or in; kept in this browser. */
export function UnitsMenu() {
  const prefs = useUnitPrefs();
  return (
    <Popover position="bottom-end" shadow="md" withArrow trapFocus hideDetached={false}>
      <Popover.Target>
        <Button variant="default" size="xs">
          Units
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="sm" role="group" aria-label="Units to show values in">
          {(Object.keys(UNIT_CHOICES) as UnitQuantity[]).map((q) => (
            <div key={q}>
              <Text size="xs" fw={600} c="dimmed" mb={4} id={`units-${q}`}>
                {UNIT_CHOICES[q].label}
              </Text>
              <SegmentedControl
                size="xs"
                fullWidth
                aria-labelledby={`units-${q}`}
                value={prefs[q]}
                onChange={(v) => setUnitPref(q, v)}
                data={UNIT_CHOICES[q].units.map((u) => ({ value: u, label: unitLabel(u) }))}
              />
            </div>
          ))}
          <Text size="xs" c="dimmed" maw={220}>
            Only changes how values are shown to you. Readings are stored as measured.
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
