/**
 * The report's inline stylesheet and script. Both are constants: the Content-Security-Policy of
 * the page allows exactly these two blocks (by hash) and nothing else, no network at all.
 */

export const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--err:#9a3412;--skip:#6e7781;--cov:#bf8700;--none:#8c959f;--bg:#fff;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--hl:#fff1a8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px 20px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 6px}
code,pre,.xml{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{border:2px solid var(--line);border-radius:8px;padding:14px 18px;margin:8px 0 16px}
.verdict.v-pass{border-color:var(--pass)}.verdict.v-fail{border-color:var(--fail)}.verdict.v-not-assessed{border-color:var(--cov)}
.big{font-size:28px;font-weight:700;letter-spacing:.5px}
.v-pass .big{color:var(--pass)}.v-fail .big{color:var(--fail)}.v-not-assessed .big{color:#7d4e00}
.level{font-size:16px;font-weight:600;margin:4px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:10px}
.card{flex:1 1 220px;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card h3{margin:0 0 4px;font-size:13px}
.card.bad{border-color:var(--fail)}.card.ok{border-color:var(--pass)}.card.warn{border-color:var(--cov)}
.b{display:inline-block;min-width:44px;text-align:center;border-radius:10px;padding:0 7px;font-size:11px;font-weight:700;color:#fff;background:var(--skip)}
.b.pass{background:var(--pass)}.b.fail{background:var(--fail)}.b.error{background:var(--err)}.b.skip{background:var(--skip)}.b.warn{background:#9a6700}
.basis{font-size:11px;border:1px solid var(--line);border-radius:4px;padding:0 4px;white-space:nowrap}
.basis.decision{border-color:var(--cov);color:#7d4e00}
.mute{color:var(--mute)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
dl.meta dt{color:var(--mute)}dl.meta dd{margin:0}
svg.diagram{width:100%;height:auto;max-height:420px;border:1px solid var(--line);border-radius:6px;background:#fff}
svg.diagram .st rect{fill:#eef4ff;stroke:#425466;stroke-width:1.3}
svg.diagram .st rect.inner{fill:none}
svg.diagram text{font:12px ui-monospace,Menlo,Consolas,monospace;text-anchor:middle;fill:#1f2328}
svg.diagram .init{fill:#1f2328}
svg.diagram .tr path{fill:none;stroke-width:2.2}
svg.diagram .tr .lb{fill:#fff;stroke:none;opacity:.9}
svg.diagram .tr text{font-weight:700}
svg.diagram .s-passed path,.sw.s-passed{stroke:var(--pass)}svg.diagram .s-passed text{fill:var(--pass)}
svg.diagram .s-failed path,.sw.s-failed{stroke:var(--fail)}svg.diagram .s-failed text{fill:var(--fail)}
svg.diagram .s-covered path,.sw.s-covered{stroke:var(--cov)}svg.diagram .s-covered text{fill:var(--cov)}
svg.diagram .s-not-covered path,.sw.s-not-covered{stroke:var(--none);stroke-dasharray:5 4}svg.diagram .s-not-covered text{fill:var(--none)}
svg.diagram marker path{stroke:none;stroke-dasharray:none}
svg.diagram marker.s-passed path{fill:var(--pass)}svg.diagram marker.s-failed path{fill:var(--fail)}
svg.diagram marker.s-covered path{fill:var(--cov)}svg.diagram marker.s-not-covered path{fill:var(--none)}
.legend{display:flex;gap:18px;flex-wrap:wrap;margin:6px 0;font-size:13px}
.legend svg{vertical-align:middle}.sw{stroke-width:3;fill:none}
.cov{font-weight:600}.cov.passed{color:var(--pass)}.cov.failed{color:var(--fail)}.cov.covered{color:#7d4e00}.cov.not-covered{color:var(--none)}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 10px;display:flex;gap:16px;flex-wrap:wrap;align-items:center}
.filters label{white-space:nowrap}.filters select{max-width:260px}
details.sc{border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.sc>summary{cursor:pointer;padding:6px 10px;background:var(--soft);border-radius:6px}
details.sc[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
.sc-body{padding:4px 12px 10px}
.tag{display:inline-block;font-size:11px;background:#ddf4ff;border-radius:8px;padding:0 6px;margin-left:3px}
.step{margin:10px 0;border-left:3px solid var(--line);padding-left:10px}
.step.v-fail,.step.v-error{border-left-color:var(--fail)}
.step h4{margin:4px 0;font-size:13px;font-weight:600}
tr.ck.v-fail td:first-child,tr.ck.v-error td:first-child{box-shadow:inset 3px 0 var(--fail)}
tr.fd>td{background:#fff8f8}
tr.fd dl{margin:0}
.err{color:var(--err);font-weight:600}
details.ex{margin:6px 0}details.ex>summary{cursor:pointer;color:var(--mute)}
.xml{white-space:pre;overflow-x:auto;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;max-height:520px;overflow-y:auto}
.xml .l{display:block}.xml .t{color:#0550ae}.xml .c{color:var(--mute)}
.xml .hl{background:var(--hl);outline:1px solid #d4a72c}
.count{color:var(--mute)}
a{color:#0969da}
@media print{
  @page{margin:14mm}
  body{font-size:10pt}main{max-width:none;padding:0}
  .filters,.noprint{display:none!important}
  details::details-content{content-visibility:visible;display:contents}
  details:not([open])>:not(summary){display:block}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .xml{max-height:none;overflow:visible;white-space:pre-wrap;word-break:break-all}
  tr,.card,svg.diagram{break-inside:avoid}
  h2{break-after:avoid}
  a{color:inherit;text-decoration:none}
}
`;

/**
 * Filters: "failed only", a tag, a rule. Only toggles `hidden` and `open`; never builds HTML, so
 * no untrusted text ever reaches the DOM through the script.
 */
export const JS = `
(function(){
  var failedOnly=document.getElementById('f-failed');
  var tagSel=document.getElementById('f-tag');
  var ruleSel=document.getElementById('f-rule');
  var count=document.getElementById('f-count');
  var scenarios=[].slice.call(document.querySelectorAll('details.sc'));
  var rows=scenarios.map(function(sc){
    return {sc:sc,bk:sc.hasAttribute('data-bookkeeping'),tags:JSON.parse(sc.getAttribute('data-tags')||'[]'),failing:sc.getAttribute('data-failing')==='1',
      steps:[].slice.call(sc.querySelectorAll('.step')).map(function(st){
        var v=st.getAttribute('data-v');
        return {st:st,failing:v==='fail'||v==='error',checks:[].slice.call(st.querySelectorAll('tr.ck'))};
      })};
  });
  var real=rows.filter(function(r){return !r.bk;}).length;
  function apply(){
    var onlyFailed=failedOnly.checked, tag=tagSel.value, rule=ruleSel.value;
    var active=onlyFailed||tag!==''||rule!=='';
    var shown=0,total=0,scShown=0;
    rows.forEach(function(r){
      var tagOk=tag===''||r.tags.indexOf(tag)>=0;
      var visibleInScenario=0;
      r.steps.forEach(function(s){
        var visibleInStep=0;
        s.checks.forEach(function(ck){
          total++;
          var v=ck.getAttribute('data-v');
          var ok=tagOk&&(!onlyFailed||v==='fail'||v==='error')&&(rule===''||ck.getAttribute('data-r')===rule);
          ck.hidden=!ok;
          var detail=ck.nextElementSibling;
          if(detail&&detail.classList.contains('fd'))detail.hidden=!ok;
          if(ok){visibleInStep++;shown++;}
        });
        s.st.hidden=active&&visibleInStep===0&&!(tagOk&&rule===''&&s.checks.length===0&&(!onlyFailed||s.failing));
        visibleInScenario+=visibleInStep;
      });
      var scOk=tagOk&&(visibleInScenario>0||(rule===''&&(!onlyFailed||r.failing)));
      r.sc.hidden=!scOk;
      if(scOk&&!r.bk)scShown++;
      r.sc.open=(active&&scOk)?true:r.sc.hasAttribute('data-open');
    });
    count.textContent='Showing '+shown+' of '+total+' checks in '+scShown+' of '+real+' scenarios';
  }
  failedOnly.addEventListener('change',apply);
  tagSel.addEventListener('change',apply);
  ruleSel.addEventListener('change',apply);
  document.getElementById('f-reset').addEventListener('click',function(){failedOnly.checked=false;tagSel.value='';ruleSel.value='';apply();});
  apply();
})();
`;
