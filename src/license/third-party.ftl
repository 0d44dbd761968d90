<#-- Help → About reads this: one shipped library a line, tab-separated (see app/shell/ThirdPartyLicenses). -->
# groupId	artifactId	version	name	licenses	url
<#list dependencyMap as e>
<#assign p = e.getKey()/>
${p.groupId}	${p.artifactId}	${p.version}	${p.name!p.artifactId}	<#list e.getValue() as l>${l}<#if l_has_next> / </#if></#list>	${p.url!""}
</#list>
