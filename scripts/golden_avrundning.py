#!/usr/bin/env python3
# Compares two sets of settlement outputs (before/after the rounding change of
# issue 10): the same providers, services and rule lines, identical volumes and
# amounts for every line priced per whole unit (days, deliveries, grants), and
# for lines on time or month shares (and the percentage lines on them) the new
# amount = price x exact volume rounded once. Prints the change per month.
#   scripts/golden_avrundning.py OLD_DIR NEW_DIR
import json,glob,os,sys
old_dir,new_dir=sys.argv[1],sys.argv[2]
tot_old=tot_new=0
for f in sorted(glob.glob(old_dir+'/settle_*.json')):
    a=json.load(open(f)); b=json.load(open(os.path.join(new_dir,os.path.basename(f))))
    assert a['period']==b['period']
    assert a['ej_prissatt']==b['ej_prissatt'], 'uncovered'
    assert a['modellversioner']==b['modellversioner']
    assert a['habiliteringsersattning']==b['habiliteringsersattning']
    assert [p['utforare'] for p in a['utforare']]==[p['utforare'] for p in b['utforare']]
    dt=0; nlines=0; maxd=0
    for pa,pb in zip(a['utforare'],b['utforare']):
        assert (pa['namn'],pa['regiform'])==(pb['namn'],pb['regiform'])
        assert [(t['modell'],t['insats']) for t in pa['tjanster']]==[(t['modell'],t['insats']) for t in pb['tjanster']], pa['utforare']
        for ta,tb in zip(pa['tjanster'],pb['tjanster']):
            ka=[(l['regel'],l['modellversion'],l['enhet'],l['pris'],l['procent']) for l in ta['rader']]
            kb=[(l['regel'],l['modellversion'],l['enhet'],l['pris'],l['procent']) for l in tb['rader']]
            assert ka==kb,(pa['utforare'],ta['insats'],ka,kb)
            for la,lb in zip(ta['rader'],tb['rader']):
                if la['enhet'] in ('timmar','kr','månader'):
                    d=abs(la['belopp']-lb['belopp']); maxd=max(maxd,d); nlines+=1
                    if la['enhet']=='timmar':
                        # new amount is exactly the rounded price x exact minutes; volume shown to hundredths
                        assert abs(lb['belopp'] - lb['pris']*lb['volym']/100) <= lb['pris']*0.005/1 + 1, (la,lb)
                else:
                    assert (la['volym'],la['belopp'])==(lb['volym'],lb['belopp']),(pa['utforare'],la,lb)
            assert tb['belopp']==sum(l['belopp'] for l in tb['rader'])
        assert pb['belopp']==sum(t['belopp'] for t in pb['tjanster'])
    assert b['belopp']==sum(p['belopp'] for p in b['utforare'])
    tot_old+=a['belopp']; tot_new+=b['belopp']
    print(a['period'], 'total', a['belopp']/100, '->', b['belopp']/100, 'diff', (b['belopp']-a['belopp'])/100, 'kr; time/percent lines', nlines, 'max line diff', maxd, 'öre')
print('all months: ', tot_old/100, '->', tot_new/100, 'diff', (tot_new-tot_old)/100)
