import { renderWarehouseRulesYaml, suggestWarehouseMapping } from './warehouse-mapping.js';

describe('suggestWarehouseMapping', () => {
  const loc = (id: string, name: string, zip?: string, city?: string) => ({ id, name, address: { zip, city } });

  it('matches by name, then by postcode or city, and never guesses the rest', () => {
    const s = suggestWarehouseMapping(
      [loc('L1', 'Main Warehouse'), loc('L2', 'Backroom', 'BS1 4DJ'), loc('L3', 'Shed', undefined, 'Leeds'), loc('L4', 'Kiosk')],
      [
        { id: 'W1', name: 'main warehouse' },
        { id: 'W2', name: 'South West', address: { postal_code: 'BS14DJ' } },
        { id: 'W3', name: 'North', address: { full_address: '1 Road, Leeds, LS1' } },
        { id: 'W4', name: 'Unused' },
      ],
    );
    expect(s.warehouses.map((w) => [w.tiktokWarehouseId, w.locations.map((l) => `${l.id}:${l.matchedBy}`)])).toEqual([
      ['W1', ['L1:name']],
      ['W2', ['L2:address']],
      ['W3', ['L3:address']],
    ]);
    expect(s.unmatchedLocations).toEqual([{ id: 'L4', name: 'Kiosk' }]);
    expect(s.unmatchedWarehouses).toEqual([{ id: 'W4', name: 'Unused' }]);
    expect(renderWarehouseRulesYaml(s)).toContain('    # not mapped: Shopify location "Kiosk" (L4) matches no TikTok warehouse');
  });

  it('"Main warehouse" alone is not a shared distinctive word', () => {
    const s = suggestWarehouseMapping([loc('L1', 'Main warehouse Leeds')], [{ id: 'W1', name: 'Main warehouse Bristol' }]);
    expect(s.warehouses).toEqual([]);
  });
});
